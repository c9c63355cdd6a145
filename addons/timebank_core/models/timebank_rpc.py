def marshallable(value):
    """``value`` without the None that XML-RPC cannot carry (e.g. the ``data``
    of a report action), so that a client gets an answer it can read."""
    if isinstance(value, dict):
        return {
            key: marshallable(item) for key, item in value.items() if item is not None
        }
    if isinstance(value, list | tuple):
        return type(value)(marshallable(item) for item in value if item is not None)
    return value
