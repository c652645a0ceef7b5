"""Raw deflate pieces compressed apart that join into one stream (RFC 1951, 3.2.3 and 3.2.4).

A deflate stream ends with the first block whose BFINAL bit is set (3.2.3), so pieces
compressed separately cannot simply be concatenated. zlib ends a piece with a sync flush: an
empty non-final stored block (3.2.4), which also byte-aligns the output. libdeflate parses
better and runs twice as fast, but only turns a whole buffer into a finished stream. Below its
300,000-byte soft block limit it writes a single block, whose BFINAL bit is then the first bit
of the output: clearing it and appending an empty stored block joins the piece like a sync
flush. That block's 3-bit header lies in the zero padding after the end-of-block code when 3
padding bits are left, else it takes one more zero byte; inflating the piece once tells which,
and checks it. A piece libdeflate split into several blocks goes through zlib instead.
"""

import zlib

try:
    import deflate  # libdeflate bindings; without them every piece goes through zlib
except ImportError:
    deflate = None

Buffer = bytes | bytearray | memoryview

PIECE_SIZE = 256 << 10  # under libdeflate's 300,000-byte soft block limit: one block
HISTORY = 32 << 10  # deflate's window: what a zlib piece is primed with
DEFAULT_LEVEL = 7  # libdeflate's; bench CSV: 7 % over `7z -mx=5`, 1.7x as fast as `-mx=1`
ZLIB_MAX_LEVEL = 6  # zlib's levels above 6 cost 20-40 % more time for about 1 % less output

_SYNC_IN_PADDING = b"\x00\x00\xff\xff"  # LEN 0, NLEN 0xFFFF; header bits taken from the padding
_SYNC_AFTER_PADDING = b"\x00" + _SYNC_IN_PADDING  # header bits from one more byte
_EMPTY_FINAL = b"\x03\x00"  # BFINAL 1, fixed Huffman codes, end-of-block: closes a probe


def deflate_chunk(data: Buffer, history: Buffer, level: int, is_last: bool) -> bytes:
    """`data` as pieces that the next chunk's output may follow, or that end the stream."""
    view = memoryview(data)
    pieces = []
    for start in range(0, len(view), PIECE_SIZE):
        piece = view[start : start + PIECE_SIZE]
        before = history if start == 0 else view[max(0, start - HISTORY) : start]
        ends = is_last and start + PIECE_SIZE >= len(view)
        pieces.append(deflate_piece(piece, before, level, ends))
    return b"".join(pieces)


def deflate_piece(data: Buffer, history: Buffer, level: int, is_last: bool) -> Buffer:
    """One piece: libdeflate's single block made joinable, else zlib primed with `history`."""
    if deflate is not None:
        stream = deflate.deflate_compress(data, level)
        if is_last:
            return stream
        joinable = _unfinished(bytearray(stream), data)
        if joinable is not None:
            return joinable
    return _zlib_piece(data, history, min(level, ZLIB_MAX_LEVEL), is_last)


def _unfinished(stream: bytearray, data: Buffer) -> bytearray | None:
    """`stream` (one final block) made non-final and byte-aligned, once it inflates to `data`."""
    if not stream[0] & 1:  # the first block is not the last one: libdeflate wrote several
        return None
    stream[0] &= 0xFE
    inflater = zlib.decompressobj(-15)
    try:
        if inflater.decompress(stream) != data:
            return None
    except zlib.error:
        return None
    for sync in (_SYNC_IN_PADDING, _SYNC_AFTER_PADDING):
        probe = inflater.copy()
        try:
            if not probe.decompress(sync + _EMPTY_FINAL) and probe.eof and not probe.unused_data:
                stream.extend(sync)
                return stream
        except zlib.error:
            continue  # the other alignment
    return None


def _zlib_piece(data: Buffer, history: Buffer, level: int, is_last: bool) -> bytes:
    """Raw deflate primed with the previous 32 KiB (deflateSetDictionary), sync-flushed."""
    options = {"zdict": history} if history else {}
    compressor = zlib.compressobj(level, zlib.DEFLATED, -15, **options)
    ending = zlib.Z_FINISH if is_last else zlib.Z_SYNC_FLUSH
    return compressor.compress(data) + compressor.flush(ending)
