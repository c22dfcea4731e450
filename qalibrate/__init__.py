"""Qalibrate: calibration sessions for contact-centre quality teams."""

__version__ = "0.1.0"
