"""Printing a return label: the customer for her own return, an agent for anyone's.

Reading the return goes through `Returns.get_return`, so who may print a label is exactly who
may read the return (someone else's is `return_not_found`). Which labels print, and why a void
one does not, is decided in the domain (domain/return_labels.py); the PDF is drawn by the
`ReturnLabelPrinter` port, so nothing here knows about PDF.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.orders.domain.ports import ReturnLabelPrinter
from services.orders.domain.reference import ReferenceData
from services.orders.domain.return_labels import label_sheet
from services.orders.service_layer.returns import Returns
from shared.actor import Actor


@dataclass(frozen=True, slots=True)
class PrintedLabel:
    return_id: str
    label_id: str
    filename: str
    pdf: bytes


class ReturnLabels:
    def __init__(self, returns: Returns, ref: ReferenceData, printer: ReturnLabelPrinter) -> None:
        self.returns = returns
        self.ref = ref
        self.printer = printer

    async def print_label(self, actor: Actor, return_id: str, label_id: str) -> PrintedLabel:
        ret = await self.returns.get_return(actor, return_id)
        sheet = label_sheet(ret, label_id, self.ref)
        return PrintedLabel(
            ret.return_id, sheet.label_id, sheet.filename, self.printer.render(sheet)
        )
