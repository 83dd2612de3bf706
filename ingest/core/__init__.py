"""What every chain shares: the provider HTTP client (http.py) and exact payload types (types.py),
the response archive and replay (archive.py), warehouse targets (warehouse.py) and dlt's side of
them (destination.py), raw-table declarations (rawschema.py) and rows (rows.py), the operator's
validators (seeds.py), async helpers (aio.py), and the Chain record a chain package fills
(chain.py). No module here imports a chain package."""
