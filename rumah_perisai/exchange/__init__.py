"""Files that travel between a post and its branch on a USB stick: the weekly batch, the branch's
acknowledgement and the post's backup (the public key files exchanged once are in
``keys/files.py``). Pure file formats and cryptography (the ``cryptography`` package); no
database and no Qt here."""
