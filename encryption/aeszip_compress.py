"""Entry data for the writer: stored or deflated in parallel blocks, read ahead (RFC 1951)."""

import zlib
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from itertools import chain
from typing import BinaryIO

from .entry_names import COMPRESSED_EXTENSIONS
from .zip_records import DEFLATED, STORED

CHUNK_SIZE = 1 << 20
SAMPLE_SIZE = 1 << 20
MIN_SAVING = 0.05  # a sample that shrinks by less than this is stored
DEFAULT_LEVEL = 6
IN_FLIGHT = 2
_HISTORY = 32 << 10  # the deflate window handed from one parallel block to the next


def choose_method(name: str, sample: bytes) -> int:
    """Stored for compressed formats and samples deflate shrinks by under 5 %, else deflated."""
    if not sample or name.rsplit(".", 1)[-1].lower() in COMPRESSED_EXTENSIONS:
        return STORED
    saved = 1 - len(zlib.compress(sample, 1)) / len(sample)
    return DEFLATED if saved >= MIN_SAVING else STORED


def entry_data(
    first: bytes, source: BinaryIO, method: int, level: int, pools: tuple[ThreadPoolExecutor, ...]
) -> Iterator[bytes]:
    """The entry's data, stored or deflated in parallel blocks joined by sync flushes (as pigz)."""
    compressors, reader = pools
    chunks = _read_ahead(first, source, reader)
    if method == STORED:
        yield from chunks
        return
    pending: deque[Future] = deque()
    history, current = b"", next(chunks)
    for following in chain(chunks, [None]):
        is_last = following is None
        pending.append(compressors.submit(_deflate_block, current, history, level, is_last))
        history = (
            current[-_HISTORY:] if len(current) >= _HISTORY else (history + current)[-_HISTORY:]
        )
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


def _deflate_block(data: bytes, history: bytes, level: int, is_last: bool) -> bytes:
    """Raw deflate of a block primed with the previous 32 KiB (RFC 1951; deflateSetDictionary)."""
    options = {"zdict": history} if history else {}
    compressor = zlib.compressobj(level, zlib.DEFLATED, -15, **options)
    ending = zlib.Z_FINISH if is_last else zlib.Z_SYNC_FLUSH
    return compressor.compress(data) + compressor.flush(ending)
