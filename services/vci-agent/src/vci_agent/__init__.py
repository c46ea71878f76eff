"""The AOS VCI agent: runs on the workshop PC, flashes ECUs over DoIP or CAN with UDS."""
