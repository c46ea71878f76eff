"""Infrastructure shared by AOS services; holds no domain code."""
