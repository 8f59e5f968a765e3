"""The participant's side: joining by code or QR, and the phone page (display side)."""
