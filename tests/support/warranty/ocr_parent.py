"""A stand-in for the warranty process in the orphan test: starts the OCR child, prints its pid,
then waits to be killed. `python -m tests.support.warranty.ocr_parent`"""

from __future__ import annotations

import time

from services.warranty.adapters.ocr_process import OcrProcess

if __name__ == "__main__":
    reader = OcrProcess(factory="tests.support.warranty.ocr_fakes:ScriptedReader")
    reader.warm_up()
    print("child", reader.pid, flush=True)  # after the log lines on stdout
    time.sleep(600)
