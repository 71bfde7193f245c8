"""The QR code the documents print: the link to the person's own page, with its access code."""

from __future__ import annotations

import segno
from reportlab.lib.units import inch
from reportlab.platypus import Flowable

QR_SIZE = 0.95 * inch
"""The printed side of a document's QR code, quiet zone included."""


class QrCode(Flowable):
    """A QR code drawn straight on the canvas, one filled rectangle per run of dark modules.

    segno encodes it (about three times faster than reportlab's encoder, which was a fifth of
    a notice's cost); reportlab's QrCodeWidget would also draw a shape per module (about
    1,800 for a notice's address), where the runs draw the same code with a few hundred.
    """

    QUIET_ZONE = 4
    """Light modules around the code, as the QR standard requires."""

    def __init__(self, payload: str, size: float = QR_SIZE) -> None:
        super().__init__()
        code = segno.make(payload, error="m", micro=False, boost_error=False)
        self.payload = payload
        self.modules: list[list[bool]] = [[bool(dark) for dark in row] for row in code.matrix]
        self.border = self.QUIET_ZONE
        self.size = size
        self.width = self.height = size

    def draw(self) -> None:
        count = len(self.modules) + 2 * self.border
        cell = self.size / count
        canvas = self.canv
        canvas.setFillColorRGB(0, 0, 0)
        for row, line in enumerate(self.modules):
            y = self.size - (row + self.border + 1) * cell
            column = 0
            while column < len(line):
                if not line[column]:
                    column += 1
                    continue
                start = column
                while column < len(line) and line[column]:
                    column += 1
                x = (start + self.border) * cell
                canvas.rect(x, y, (column - start) * cell, cell, stroke=0, fill=1)
