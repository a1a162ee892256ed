"""Files that travel between a post and its branch on a USB stick: public key files, the weekly
batch and, later, the branch's acknowledgement. Pure file formats and cryptography (the
``cryptography`` package); no database and no Qt here."""
