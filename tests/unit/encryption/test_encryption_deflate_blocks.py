import random
import zlib

import pytest

from encryption import deflate_blocks
from encryption.deflate_blocks import PIECE_SIZE, deflate_chunk, deflate_piece

needs_libdeflate = pytest.mark.skipif(deflate_blocks.deflate is None, reason="no libdeflate")


def register_rows(count: int, seed: int) -> bytes:
    rng = random.Random(seed)
    towns = ["Lyon", "Annecy", "Vienne", "Chambéry", "Bourg-en-Bresse"]
    return "".join(
        f"{n};{rng.choice(towns)};{rng.randint(1000, 99999)};{rng.random():.6f}\n"
        for n in range(count)
    ).encode()


def inflate(stream: bytes) -> bytes:
    inflater = zlib.decompressobj(-15)
    data = inflater.decompress(stream)
    assert inflater.eof and not inflater.unused_data
    return data


@needs_libdeflate
def test_libdeflate_pieces_join_like_sync_flushes_with_both_alignments():
    texts = [register_rows(200 + 37 * n, seed=n) for n in range(40)]
    grown = set()
    for text in texts:
        piece = deflate_piece(text, b"", 7, is_last=False)
        grown.add(len(piece) - len(deflate_blocks.deflate.deflate_compress(text, 7)))
        assert inflate(piece + b"\x03\x00") == text  # an empty final block closes it
    assert grown == {4, 5}  # header bits in the padding, or in one more byte
    joined = b"".join(deflate_piece(text, b"", 7, is_last=False) for text in texts)
    assert inflate(joined + deflate_piece(b"fin", b"", 7, is_last=True)) == b"".join(texts) + b"fin"


@needs_libdeflate
def test_a_chunk_of_several_pieces_inflates_as_one_stream():
    text = register_rows(60_000, seed=1)
    assert len(text) > 3 * PIECE_SIZE
    first, second = text[: len(text) // 2], text[len(text) // 2 :]
    stream = deflate_chunk(first, b"", 7, False) + deflate_chunk(second, first[-32768:], 7, True)
    assert inflate(stream) == text
    assert len(stream) < len(text) / 2


@needs_libdeflate
def test_a_piece_libdeflate_splits_into_several_blocks_goes_through_zlib(monkeypatch):
    used = []
    monkeypatch.setattr(deflate_blocks, "_zlib_piece", lambda *args: used.append(args) or b"zlib")
    big = register_rows(40_000, seed=2)  # past libdeflate's 300,000-byte block limit
    assert deflate_piece(big, b"", 7, is_last=False) == b"zlib"
    assert deflate_piece(big[:100_000], b"", 7, is_last=False) != b"zlib"
    assert len(used) == 1


def test_without_libdeflate_every_piece_is_zlib_primed_with_the_history(monkeypatch):
    monkeypatch.setattr(deflate_blocks, "deflate", None)
    history, text = b"Moreau;Pascal;Annecy\n" * 100, b"Moreau;Pascal;Annecy\n" * 3
    piece = deflate_piece(text, history, 7, is_last=True)
    assert len(piece) < 20  # the rows were found in the history
    assert zlib.decompressobj(-15, zdict=history).decompress(piece) == text
