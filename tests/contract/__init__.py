"""The contract suite that every chat port keeps."""
