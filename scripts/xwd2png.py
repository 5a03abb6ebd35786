#!/usr/bin/env python3
"""Converts an X window dump (xwd, 24/32-bit TrueColor) to PNG, with only
the standard library: the screenshot scripts need no ImageMagick."""
import struct, sys, zlib

def convert(data: bytes) -> bytes:
    fields = struct.unpack(">25I", data[:100])
    header_size, width, height = fields[0], fields[4], fields[5]
    byte_order, bpp, bytes_per_line, ncolors = fields[7], fields[11], fields[12], fields[19]
    if bpp not in (24, 32):
        raise SystemExit(f"xwd2png: {bpp} bits per pixel is not supported")
    step = bpp // 8
    pixels = data[header_size + 12 * ncolors:]
    rows = []
    for y in range(height):
        line = pixels[y * bytes_per_line:y * bytes_per_line + width * step]
        rgb = bytearray(width * 3)
        if byte_order == 0:  # LSBFirst: B G R (X)
            rgb[0::3], rgb[1::3], rgb[2::3] = line[2::step], line[1::step], line[0::step]
        else:  # MSBFirst: (X) R G B
            o = step - 3
            rgb[0::3], rgb[1::3], rgb[2::3] = line[o::step], line[o + 1::step], line[o + 2::step]
        rows.append(b"\x00" + bytes(rgb))
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"".join(rows), 6)) + chunk(b"IEND", b""))

if __name__ == "__main__":
    sys.stdout.buffer.write(convert(sys.stdin.buffer.read()))
