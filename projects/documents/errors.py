class ImportFormatError(ValueError):
    """A file or document that cannot be imported; `where` says where (line, path, cell)."""

    def __init__(self, where, message):
        self.where = where
        self.message = message
        super().__init__(f"{where}：{message}" if where else message)
