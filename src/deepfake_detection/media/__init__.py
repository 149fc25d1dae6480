"""Media decoding at the edge: bytes in, arrays out, bad input turned into clear errors."""
