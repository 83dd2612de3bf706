"""Async helpers for fetchers: run many requests at once, and share one request between callers."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")


def _first_leaf(group: BaseExceptionGroup[BaseException]) -> BaseException:
    first = group.exceptions[0]
    return _first_leaf(first) if isinstance(first, BaseExceptionGroup) else first


async def gather_all(coros: Iterable[Awaitable[T]]) -> list[T]:
    """Run coroutines concurrently; on the first failure cancel the others and raise that failure
    itself (not an ExceptionGroup), so errors keep their own clear message."""
    tasks: list[asyncio.Task[T]] = []
    try:
        async with asyncio.TaskGroup() as tg:
            for coro in coros:
                tasks.append(tg.create_task(_as_coroutine(coro)))
    except BaseExceptionGroup as group:
        leaf = _first_leaf(group)
        raise leaf from leaf.__cause__
    return [task.result() for task in tasks]


async def _as_coroutine(awaitable: Awaitable[T]) -> T:
    return await awaitable


@dataclass
class Memo:
    """Awaits each key's factory once; every caller of the same key gets that one result."""

    tasks: dict[Any, asyncio.Future[Any]] = field(default_factory=dict)

    async def once(self, key: Any, factory: Callable[[], Awaitable[T]]) -> T:
        task = self.tasks.get(key)
        if task is None:
            task = asyncio.ensure_future(factory())
            self.tasks[key] = task
        result: T = await asyncio.shield(task)
        return result

    async def aclose(self) -> None:
        """Cancel the factories still running (their callers gave up: another request failed) and
        collect every outcome, so no task outlives the run or reports an unretrieved exception."""
        pending = [task for task in self.tasks.values() if not task.done()]
        for task in pending:
            task.cancel()
        await asyncio.gather(*self.tasks.values(), return_exceptions=True)
