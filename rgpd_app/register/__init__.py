"""The processing register: Art. 30(2) per controller and the controllers' Art. 30(1) side."""
