"""Entry data for the writer: stored or deflated in parallel chunks, read ahead (RFC 1951)."""

import zlib
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from itertools import chain
from typing import BinaryIO

from .deflate_blocks import HISTORY, deflate_chunk
from .entry_names import COMPRESSED_EXTENSIONS
from .zip_records import DEFLATED, STORED

CHUNK_SIZE = 1 << 20
SAMPLE_SIZE = 1 << 20
PROBE_SIZE = 128 << 10  # what choose_method compresses: 1 MiB of noise took 17 ms at level 1
MIN_SAVING = 0.05  # a probe that shrinks by less than this is stored
IN_FLIGHT = 2


def choose_method(name: str, sample: bytes) -> int:
    """Stored for compressed formats and samples deflate shrinks by under 5 %, else deflated."""
    if not sample or name.rsplit(".", 1)[-1].lower() in COMPRESSED_EXTENSIONS:
        return STORED
    probe = sample[:PROBE_SIZE]
    saved = 1 - len(zlib.compress(probe, 1)) / len(probe)
    return DEFLATED if saved >= MIN_SAVING else STORED


def entry_data(
    first: bytes, source: BinaryIO, method: int, level: int, pools: tuple[ThreadPoolExecutor, ...]
) -> Iterator[bytes]:
    """The entry's data, stored or deflated in parallel chunks joined by empty stored blocks."""
    compressors, reader = pools
    chunks = _read_ahead(first, source, reader)
    if method == STORED:
        yield from chunks
        return
    pending: deque[Future] = deque()
    history, current = b"", next(chunks)
    for following in chain(chunks, [None]):
        is_last = following is None
        pending.append(compressors.submit(deflate_chunk, current, history, level, is_last))
        history = current[-HISTORY:] if len(current) >= HISTORY else (history + current)[-HISTORY:]
        if len(pending) > IN_FLIGHT:
            yield pending.popleft().result()
        current = following
    while pending:
        yield pending.popleft().result()


def _read_ahead(first: bytes, source: BinaryIO, reader: ThreadPoolExecutor) -> Iterator[bytes]:
    """Chunks of `source`, the next ones read by another thread while this one is encrypted."""
    yield first
    pending = deque(reader.submit(source.read, CHUNK_SIZE) for _ in range(IN_FLIGHT))
    try:
        while chunk := pending.popleft().result():
            pending.append(reader.submit(source.read, CHUNK_SIZE))
            yield chunk
    finally:
        for future in pending:
            if not future.cancel():
                future.exception()  # wait for it: the file is closed once this generator ends
