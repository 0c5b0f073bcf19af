"""tf.image codecs: PNG encoding and decoding (zlib only) against hand-built files (every row filter, Adam7
interlacing, palettes, transparency, bit depths) and Pillow as an independent reader and writer; JPEG, GIF, BMP and
decode_image through Pillow, and the message when Pillow is missing."""
import io
import struct
import sys
import zlib

import numpy as np
import pytest

import neuroflow as tf

RNG = np.random.default_rng(5)


def _run(t, feed=None):
    with tf.Session() as sess:
        return sess.run(t, feed)


def _decode(data, **kwargs):
    contents = tf.placeholder(tf.string, [])
    return _run(tf.image.decode_png(contents, **kwargs), {contents: data})


def _png(width, height, depth, color_type, rows, extra_chunks=(), interlace=0):
    """A PNG file from already filtered scanline bytes (each row: filter byte + data)."""
    def chunk(kind, payload):
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))
    header = struct.pack(">IIBBBBB", width, height, depth, color_type, 0, 0, interlace)
    body = b"".join(chunk(k, p) for k, p in extra_chunks)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + body + chunk(b"IDAT", zlib.compress(rows)) +
            chunk(b"IEND", b""))


def _filter_row(kind, line, previous, bpp):
    """The PNG specification's filters, written out byte by byte."""
    out = bytearray()
    for i, x in enumerate(line):
        a = line[i - bpp] if i >= bpp else 0
        b = previous[i]
        c = previous[i - bpp] if i >= bpp else 0
        if kind == 0:
            pred = 0
        elif kind == 1:
            pred = a
        elif kind == 2:
            pred = b
        elif kind == 3:
            pred = (a + b) // 2
        else:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
        out.append((x - pred) % 256)
    return bytes([kind]) + bytes(out)


def _filtered(image, bpp, kinds):
    rows, previous = b"", bytes(image.shape[1] * image.shape[2] * image.itemsize)
    for r, kind in zip(range(image.shape[0]), kinds):
        line = image[r].astype(image.dtype.newbyteorder(">")).tobytes()
        rows += _filter_row(kind, line, previous, bpp)
        previous = line
    return rows


@pytest.mark.parametrize("channels", [1, 2, 3, 4])
@pytest.mark.parametrize("dtype", [np.uint8, np.uint16])
def test_png_round_trip(channels, dtype):
    image = RNG.integers(0, np.iinfo(dtype).max + 1, (5, 7, channels)).astype(dtype)
    encoded = tf.image.encode_png(image)
    assert encoded.dtype == tf.string and encoded.shape.as_list() == []
    decoded = tf.image.decode_png(encoded, channels=channels, dtype=tf.as_dtype(dtype))
    assert decoded.shape.as_list() == [None, None, channels]
    np.testing.assert_array_equal(_run(decoded), image)


@pytest.mark.parametrize("filters", [[0] * 6, [1] * 6, [2] * 6, [3] * 6, [4] * 6, [0, 1, 2, 3, 4, 4]])
@pytest.mark.parametrize("channels, color_type", [(1, 0), (3, 2), (4, 6)])
def test_png_every_row_filter(filters, channels, color_type):
    image = RNG.integers(0, 256, (6, 9, channels)).astype(np.uint8)
    data = _png(9, 6, 8, color_type, _filtered(image, channels, filters))
    np.testing.assert_array_equal(_decode(data), image)


def test_png_sixteen_bits_filtered_and_converted():
    image = RNG.integers(0, 65536, (4, 5, 3)).astype(np.uint16)
    data = _png(5, 4, 16, 2, _filtered(image, 6, [4, 3, 1, 2]))
    np.testing.assert_array_equal(_decode(data, dtype=tf.uint16), image)
    np.testing.assert_array_equal(_decode(data), (image >> 8).astype(np.uint8))  # uint8: the high byte


def test_png_adam7_interlaced():
    image = RNG.integers(0, 256, (11, 13, 3)).astype(np.uint8)
    rows = b""
    for x0, y0, dx, dy in [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2),
                           (0, 1, 1, 2)]:
        sub = image[y0::dy, x0::dx]
        if sub.size:
            rows += _filtered(sub, 3, [r % 5 for r in range(sub.shape[0])])
    np.testing.assert_array_equal(_decode(_png(13, 11, 8, 2, rows, interlace=1)), image)


def test_png_palette_with_transparency_and_low_bit_depths():
    palette = RNG.integers(0, 256, (4, 3)).astype(np.uint8)
    index = RNG.integers(0, 4, (3, 10)).astype(np.uint8)
    packed = np.packbits(np.unpackbits(index[..., None], axis=-1)[..., -2:].reshape(3, -1), axis=1)  # 2 bits each
    rows = b"".join(b"\x00" + r.tobytes() for r in packed)
    alpha = bytes([255, 0, 128])  # entry 3 has no tRNS value: opaque
    data = _png(10, 3, 2, 3, rows, [(b"PLTE", palette.tobytes()), (b"tRNS", alpha)])
    expected = np.concatenate([palette[index], np.array([255, 0, 128, 255], np.uint8)[index][..., None]], -1)
    np.testing.assert_array_equal(_decode(data), expected)
    np.testing.assert_array_equal(_decode(data, channels=3), palette[index])
    gray = RNG.integers(0, 2, (4, 16)).astype(np.uint8)
    rows = b"".join(b"\x00" + r.tobytes() for r in np.packbits(gray, axis=1))
    np.testing.assert_array_equal(_decode(_png(16, 4, 1, 0, rows))[..., 0], gray * 255)  # 1-bit gray


def test_png_channel_conversions():
    rgb = RNG.integers(0, 256, (3, 4, 3)).astype(np.uint8)
    data = _png(4, 3, 8, 2, _filtered(rgb, 3, [0, 0, 0]))
    rgba = _decode(data, channels=4)
    np.testing.assert_array_equal(rgba[..., :3], rgb)
    assert (rgba[..., 3] == 255).all()  # a missing alpha is opaque
    # Gray from RGB: libpng's weights 0.299 and 0.587 in 1/32768 units (9797, 19234, 3737), truncated.
    r, g, b = (rgb[..., i].astype(np.int64) for i in range(3))
    np.testing.assert_array_equal(_decode(data, channels=1)[..., 0], (9797 * r + 19234 * g + 3737 * b) >> 15)
    gray = rgb[..., :1]
    gray_data = _png(4, 3, 8, 0, _filtered(gray, 1, [0, 0, 0]))
    np.testing.assert_array_equal(_decode(gray_data, channels=3), np.repeat(gray, 3, axis=-1))


def test_png_read_by_pillow_and_pillow_files_read_back():
    Image = pytest.importorskip("PIL.Image")
    image = RNG.integers(0, 256, (6, 8, 3)).astype(np.uint8)
    ours = _run(tf.image.encode_png(image, compression=9))
    np.testing.assert_array_equal(np.asarray(Image.open(io.BytesIO(ours))), image)
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, "PNG", optimize=True)
    np.testing.assert_array_equal(_decode(buffer.getvalue()), image)


def test_png_errors():
    with pytest.raises(tf.errors.InvalidArgumentError, match="Invalid PNG header"):
        _decode(b"not a png")
    with pytest.raises(ValueError, match="must be rank 3"):
        tf.image.encode_png(tf.zeros([2, 2], tf.uint8))
    with pytest.raises(TypeError):
        tf.image.encode_png(tf.zeros([2, 2, 1], tf.float32))
    with pytest.raises(TypeError, match="expected type of string"):
        tf.image.decode_png(tf.zeros([], tf.float32))


def test_jpeg_round_trip_and_pillow_agreement():
    Image = pytest.importorskip("PIL.Image")
    smooth = np.linspace(0, 255, 16 * 16 * 3).reshape(16, 16, 3).astype(np.uint8)
    encoded = tf.image.encode_jpeg(smooth, quality=95)
    decoded = tf.image.decode_jpeg(encoded)
    assert decoded.shape.as_list() == [None, None, None]
    value, data = _run([decoded, encoded])
    np.testing.assert_array_equal(value, np.asarray(Image.open(io.BytesIO(data))))  # the same libjpeg
    assert np.abs(value.astype(int) - smooth).mean() < 3
    gray = _run(tf.image.decode_jpeg(data, channels=1))
    assert gray.shape == (16, 16, 1)
    half = _run(tf.image.decode_jpeg(data, ratio=2))
    assert half.shape == (8, 8, 3)


def test_decode_image_detects_the_format():
    Image = pytest.importorskip("PIL.Image")
    image = RNG.integers(0, 256, (4, 6, 3)).astype(np.uint8)
    files = {}
    for kind in ("PNG", "BMP", "GIF"):
        buffer = io.BytesIO()
        Image.fromarray(image).save(buffer, kind)
        files[kind] = buffer.getvalue()
    contents = tf.placeholder(tf.string, [])
    decoded = tf.image.decode_image(contents, channels=3, expand_animations=False)
    assert decoded.shape.as_list() == [None, None, 3]
    assert tf.image.decode_image(contents).shape.ndims is None  # a GIF could be 4-D
    np.testing.assert_array_equal(_run(decoded, {contents: files["PNG"]}), image)
    np.testing.assert_array_equal(_run(decoded, {contents: files["BMP"]}), image)
    gif = _run(tf.image.decode_image(contents), {contents: files["GIF"]})
    assert gif.shape == (1, 4, 6, 3)
    as_float = _run(tf.image.decode_image(contents, dtype=tf.float32, expand_animations=False),
                    {contents: files["PNG"]})
    np.testing.assert_allclose(as_float, image / 255.0, rtol=1e-6)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Unknown image file format"):
        _run(decoded, {contents: b"plain text"})


def test_missing_pillow_is_named_with_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "PIL", None)  # `from PIL import Image` now raises ImportError
    with pytest.raises(tf.errors.UnimplementedError, match=r"needs Pillow.*neuroflow\[image\]"):
        _run(tf.image.decode_jpeg(b"\xff\xd8\xff"))
    np.testing.assert_array_equal(_run(tf.image.decode_png(tf.image.encode_png(np.ones((1, 1, 1), np.uint8)))),
                                  [[[1]]])  # PNG needs nothing extra


def test_decode_and_crop_jpeg_and_extract_jpeg_shape():
    Image = pytest.importorskip("PIL.Image")
    image = np.linspace(0, 255, 24 * 32 * 3).reshape(24, 32, 3).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, "JPEG", quality=95)
    data = buffer.getvalue()
    full = _run(tf.image.decode_jpeg(data))
    window = tf.placeholder(tf.int32, [4])
    crop = tf.image.decode_and_crop_jpeg(data, window, channels=3)
    np.testing.assert_array_equal(_run(crop, {window: [3, 5, 10, 20]}), full[3:13, 5:25])
    with pytest.raises(tf.errors.InvalidArgumentError, match="Invalid JPEG data or crop window"):
        _run(crop, {window: [20, 0, 10, 5]})
    shape = tf.image.extract_jpeg_shape(data)
    assert shape.shape.as_list() == [3]
    np.testing.assert_array_equal(_run(shape), [24, 32, 3])
    assert _run(tf.image.extract_jpeg_shape(data, tf.int64)).dtype == np.int64


def test_is_jpeg_reads_the_first_bytes():
    contents = tf.placeholder(tf.string, [])
    jpeg = tf.image.is_jpeg(contents)
    assert jpeg.dtype == tf.bool
    with tf.Session() as sess:
        assert sess.run(jpeg, {contents: b"\xff\xd8\xff\xe0rest"})
        assert not sess.run(jpeg, {contents: b"\x89PNG\r\n\x1a\n"})
        assert not sess.run(jpeg, {contents: b""})


def test_adjust_and_random_jpeg_quality():
    Image = pytest.importorskip("PIL.Image")
    image = RNG.integers(0, 256, (16, 16, 3)).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, "JPEG", quality=30)
    expected = np.asarray(Image.open(io.BytesIO(buffer.getvalue())))
    np.testing.assert_array_equal(_run(tf.image.adjust_jpeg_quality(image, 30)), expected)
    as_float = _run(tf.image.adjust_jpeg_quality(image.astype(np.float32) / 255, 30))
    assert as_float.dtype == np.float32 and np.abs(as_float * 255 - expected).max() <= 1
    quality = tf.placeholder(tf.int32, [])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"quality must be in \[0,100\]"):
        _run(tf.image.adjust_jpeg_quality(image, quality), {quality: 120})
    with pytest.raises(ValueError, match="must be less than `max_jpeg_quality`"):
        tf.image.random_jpeg_quality(image, 50, 50)
    with pytest.raises(ValueError, match="jpeg encoding range must be between 0 and 100."):
        tf.image.random_jpeg_quality(image, 50, 101)
    tf.set_random_seed(3)
    noisy = tf.image.random_jpeg_quality(image, 10, 90)
    with tf.Session() as sess:
        first = [sess.run(noisy) for _ in range(3)]
    with tf.Session() as sess:  # a new session repeats the seeded qualities
        for value in first:
            np.testing.assert_array_equal(sess.run(noisy), value)
