"""The ECU contracts of AOS: binary formats and numbers that the programming service, the VCI
agent and the vehicle simulator must agree on byte for byte.

A format here is a contract just as a ``.proto`` is: change it only additively, or with a new
format version (a new magic, a new algorithm name), never in place.

Modules: ``aosimg`` (the image header), ``keys`` (seed/key algorithms by name), ``uds`` (DIDs,
routine identifiers, security levels), ``demo`` (the demo vehicle's ECUs).
"""
