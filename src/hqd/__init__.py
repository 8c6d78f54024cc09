"""hqd — monitoring and evaluation of public hospitals' high-quality development (公立医院高质量发展)."""

__version__ = "0.1.0"
