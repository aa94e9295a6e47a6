"""Fused GPU kernels (Triton) with torch reference implementations and device dispatch."""
