"""Evidence on the record: officers' photos and documents, clerks' scans, the person's files.

- `store`: the content-addressed files store (a folder, or an S3-compatible bucket);
- `kinds`: what a file is, from its bytes, and a picture's shown copy without metadata;
- `metadata`: when and where a photo was taken, from its EXIF;
- `tables`: the attachments table;
- `service`: adding, naming (from an intake message) and withdrawing files;
- `access`: who sees which file, and its bytes as sent to them.
"""
