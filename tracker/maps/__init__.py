"""The spread map: the network of organisations and learning links, on a map or by its links."""
