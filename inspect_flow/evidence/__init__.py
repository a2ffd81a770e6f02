"""Evidence files (ảnh, tài liệu minh chứng): stored once per content hash, type checked from the bytes,
photos re-encoded without their EXIF (GPS) data. Domain core: no Flask."""
