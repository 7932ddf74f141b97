"""Whether this machine can run CUDA: pycuda importable, the driver started, a device.

Nothing here imports pycuda at module import: ``import cudagen`` works everywhere.
"""

from __future__ import annotations

import functools
from typing import Any


class NoCudaDeviceError(RuntimeError):
    """mode='CUDA' on a machine without a usable GPU."""


def _probe() -> tuple[Any, str | None]:
    """(pycuda.driver, None) when a device answers, else (None, why not)."""
    try:
        from pycuda import driver
    except ImportError as error:
        if "libcuda" in str(error):
            return None, f"pycuda found no CUDA driver library ({error}): no NVIDIA driver here"
        return None, f"pycuda is not importable ({error}; install cudagen[cuda])"
    try:
        driver.init()
        count = driver.Device.count()
    except Exception as error:  # cuInit fails without a driver or a device
        return None, f"the CUDA driver did not start ({error})"
    if count == 0:
        return None, "the CUDA driver reports no device"
    return driver, None


@functools.cache
def probe() -> tuple[Any, str | None]:
    """``_probe``, once per process."""
    return _probe()


def no_device_reason() -> str | None:
    """Why CUDA cannot run here, or None when it can."""
    return probe()[1]


def require_driver() -> Any:
    """pycuda.driver, initialized; else one ``NoCudaDeviceError`` saying what to do instead."""
    driver, reason = probe()
    if driver is None:
        raise NoCudaDeviceError(
            f"mode='CUDA': no CUDA device or driver was found: {reason}. "
            "Compile with mode='FAST_RUN' to run on the CPU."
        )
    return driver
