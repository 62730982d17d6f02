"""Code that is not domain logic: storage, markdown, errors."""
