"""The PNG file format on the host, with zlib from the standard library: encoding 8- and 16-bit images
(gray, gray+alpha, RGB, RGBA) and decoding every standard PNG (all colour types and bit depths, palettes with
transparency, the five row filters, Adam7 interlacing) into the channels and dtype TensorFlow's DecodePng gives.
"""
import struct
import zlib

import numpy as np

__all__ = ["encode", "decode", "PngError", "is_png"]

SIGNATURE = b"\x89PNG\r\n\x1a\n"
_COLOR_TYPE_OF_CHANNELS = {1: 0, 2: 4, 3: 2, 4: 6}
_CHANNELS_OF_COLOR_TYPE = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
_ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]


class PngError(ValueError):
    """The bytes are not a PNG this decoder can read; the message says why."""


def is_png(data):
    return data[:8] == SIGNATURE


def _chunk(kind, payload):
    return (struct.pack(">I", len(payload)) + kind + payload +
            struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF))


def encode(image, compression=-1):
    """PNG bytes of a [height, width, channels] uint8 or uint16 array (channels 1 to 4); `compression` is
    zlib's level (-1: its default)."""
    height, width, channels = image.shape
    depth = 16 if image.dtype == np.uint16 else 8
    header = struct.pack(">IIBBBBB", width, height, depth, _COLOR_TYPE_OF_CHANNELS[channels], 0, 0, 0)
    rows = np.ascontiguousarray(image, dtype=">u2" if depth == 16 else np.uint8).reshape(height, -1).view(np.uint8)
    raw = np.concatenate([np.zeros((height, 1), np.uint8), rows], axis=1)  # filter type 0 (None) on every row
    level = -1 if compression is None or compression < 0 else min(int(compression), 9)
    return SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(raw.tobytes(), level)) + \
        _chunk(b"IEND", b"")


def _read_chunks(data):
    if not is_png(data):
        raise PngError("Invalid PNG header, data size %d" % len(data))
    pos, chunks = 8, []
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        payload = data[pos + 8:pos + 8 + length]
        if len(payload) != length:
            raise PngError("Invalid PNG data, size %d" % len(data))
        chunks.append((kind, payload))
        pos += 12 + length
        if kind == b"IEND":
            break
    return chunks


def _unfilter(raw, rows, row_bytes, bpp):
    """The scanlines' bytes ([rows, row_bytes] uint8) with each row's filter undone."""
    out = np.zeros((rows, row_bytes), np.uint8)
    previous = np.zeros(row_bytes, np.uint8)
    stride = row_bytes + 1
    for r in range(rows):
        kind = raw[r * stride]
        line = np.frombuffer(raw, np.uint8, row_bytes, r * stride + 1)
        if kind == 0:
            current = line.copy()
        elif kind == 1:  # Sub: a running sum along each byte position of the pixel, modulo 256
            padded = np.zeros(-(-row_bytes // bpp) * bpp, np.uint8)
            padded[:row_bytes] = line
            current = np.cumsum(padded.reshape(-1, bpp), axis=0, dtype=np.uint8).reshape(-1)[:row_bytes]
        elif kind == 2:  # Up
            current = line + previous
        elif kind == 3:  # Average: each byte depends on the one just decoded, left of it
            cur, up = bytearray(line.tobytes()), previous.tobytes()
            for i in range(min(bpp, row_bytes)):
                cur[i] = (cur[i] + (up[i] >> 1)) & 0xFF
            for i in range(bpp, row_bytes):
                cur[i] = (cur[i] + ((cur[i - bpp] + up[i]) >> 1)) & 0xFF
            current = np.frombuffer(bytes(cur), np.uint8)
        elif kind == 4:  # Paeth, written out inline: this loop is the decoder's hot spot
            cur, up = bytearray(line.tobytes()), previous.tobytes()
            for i in range(min(bpp, row_bytes)):
                cur[i] = (cur[i] + up[i]) & 0xFF  # no left neighbours: the predictor is the byte above
            for i in range(bpp, row_bytes):
                a, b, c = cur[i - bpp], up[i], up[i - bpp]
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                cur[i] = (cur[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
            current = np.frombuffer(bytes(cur), np.uint8)
        else:
            raise PngError(f"Invalid PNG filter type {kind}")
        out[r] = current
        previous = current
    return out


def _samples(lines, width, depth, samples_per_pixel):
    """[rows, width * samples] integer samples from unfiltered scanline bytes."""
    if depth == 16:
        return lines.view(">u2").astype(np.uint16)[:, :width * samples_per_pixel]
    if depth == 8:
        return lines[:, :width * samples_per_pixel]
    bits = np.unpackbits(lines, axis=1).reshape(lines.shape[0], -1, depth)
    weights = (1 << np.arange(depth - 1, -1, -1)).astype(np.uint8)
    return (bits * weights).sum(axis=2).astype(np.uint8)[:, :width * samples_per_pixel]


def _decode_pass(raw, offset, width, height, depth, samples_per_pixel):
    """(samples [height, width, spp], bytes consumed) of one (sub)image's scanlines starting at `offset`."""
    if width == 0 or height == 0:
        return np.zeros((height, width, samples_per_pixel), np.uint16 if depth == 16 else np.uint8), 0
    row_bytes = (width * samples_per_pixel * depth + 7) // 8
    size = height * (row_bytes + 1)
    if offset + size > len(raw):
        raise PngError("Invalid PNG data: the image data is truncated")
    lines = _unfilter(raw[offset:offset + size], height, row_bytes, max(1, samples_per_pixel * depth // 8))
    return _samples(lines, width, depth, samples_per_pixel).reshape(height, width, samples_per_pixel), size


def decode(data, channels=0, dtype=np.uint8):
    """A [height, width, channels] `dtype` (uint8 or uint16) array from PNG bytes; `channels` 0 keeps the
    file's (a palette gives 3, or 4 with transparency), 1 to 4 converts (gray from RGB by libpng's truncating
    0.299/0.587 rule; a missing alpha is opaque)."""
    chunks = _read_chunks(bytes(data))
    if not chunks or chunks[0][0] != b"IHDR" or len(chunks[0][1]) != 13:
        raise PngError("Invalid PNG: no IHDR chunk")
    width, height, depth, color_type, _, _, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    if color_type not in _CHANNELS_OF_COLOR_TYPE or depth not in (1, 2, 4, 8, 16):
        raise PngError(f"Invalid PNG: color type {color_type} with bit depth {depth}")
    palette = next((np.frombuffer(p, np.uint8).reshape(-1, 3) for k, p in chunks if k == b"PLTE"), None)
    transparency = next((p for k, p in chunks if k == b"tRNS"), None)
    try:
        raw = zlib.decompress(b"".join(p for k, p in chunks if k == b"IDAT"))
    except zlib.error as e:
        raise PngError(f"Invalid PNG data: {e}") from None
    spp = _CHANNELS_OF_COLOR_TYPE[color_type]
    if interlace:
        samples = np.zeros((height, width, spp), np.uint16 if depth == 16 else np.uint8)
        offset = 0
        for x0, y0, dx, dy in _ADAM7:
            w, h = max(0, -(-(width - x0) // dx)), max(0, -(-(height - y0) // dy))
            part, used = _decode_pass(raw, offset, w, h, depth, spp)
            samples[y0::dy, x0::dx] = part
            offset += used
    else:
        samples, _ = _decode_pass(raw, 0, width, height, depth, spp)
    return _to_channels(samples, color_type, depth, palette, transparency, channels, np.dtype(dtype))


def _to_channels(samples, color_type, depth, palette, transparency, channels, dtype):
    has_alpha = color_type in (4, 6)
    if color_type == 3:
        if palette is None:
            raise PngError("Invalid PNG: palette image without PLTE chunk")
        index = samples[..., 0]
        color = palette[index].astype(np.uint16)
        alpha = None
        if transparency is not None:
            table = np.full(256, 255, np.uint8)
            table[:len(transparency)] = np.frombuffer(transparency, np.uint8)
            alpha, has_alpha = table[index].astype(np.uint16), True
        depth, gray = 8, False
    else:
        gray = color_type in (0, 4)
        color = samples[..., :1 if gray else 3].astype(np.uint16)
        alpha = samples[..., -1].astype(np.uint16) if has_alpha else None
        if transparency is not None and not has_alpha:  # one colour (in the file's units) is transparent
            key = np.frombuffer(transparency, ">u2").astype(np.uint16)[:color.shape[-1]]
            alpha = np.where(np.all(color == key, axis=-1), 0, (1 << depth) - 1).astype(np.uint16)
            has_alpha = True
        if gray and depth < 8:  # expand 1, 2, 4-bit gray to 8 bits as libpng does
            color = color * (255 // ((1 << depth) - 1))
            alpha = None if alpha is None else alpha * (255 // ((1 << depth) - 1))
            depth = 8
    if channels == 0:
        channels = (1 if gray else 3) + (1 if has_alpha else 0)
    scale_to = 16 if dtype == np.uint16 else 8
    color, alpha = _rescale(color, depth, scale_to), None if alpha is None else _rescale(alpha, depth, scale_to)
    want_gray = channels < 3
    if want_gray and not gray:
        color = _rgb_to_gray(color, scale_to)
    elif not want_gray and gray:
        color = np.repeat(color, 3, axis=-1)
    if channels % 2 == 0:
        if alpha is None:
            alpha = np.full(color.shape[:-1], (1 << scale_to) - 1, np.uint32)
        color = np.concatenate([color, alpha[..., None].astype(color.dtype)], axis=-1)
    return color.astype(dtype)


def _rescale(values, depth, target):
    values = values.astype(np.uint32)
    if depth == target:
        return values
    if depth == 16:  # libpng's png_set_strip_16: the high byte
        return values >> 8
    return values * 257  # 8 to 16 bits: 255 maps to 65535


def _rgb_to_gray(rgb, bits):
    """libpng's rgb_to_gray with weights 0.299, 0.587 in 1/32768 units, truncated."""
    red, green = 29900 * 32768 // 100000, 58700 * 32768 // 100000
    blue = 32768 - red - green
    r, g, b = (rgb[..., i].astype(np.uint64) for i in range(3))
    gray = (red * r + green * g + blue * b) >> 15
    same = (r == g) & (r == b)
    return np.where(same, r, gray)[..., None].astype(np.uint32)
