BBBBBBB BBBBBBBBBBBBBBB BBBB BBBBBBBBBBBBBB
BBBBB BBBBB gettext(u'Administratie') BBBBBBBB
BBBBB BBBBBBB
XXXX gettext(u'Administratie') XXXXX
BBBBBBB BBBBBBBBBBBBBBBBBBBBBBBBB
XXX XXXXXXXXXXX gettext(u'Te beoordelen') XXXXX
 _("Ingediende declaraties, oudste eerst") 
XXX XXXXXXXXXXX gettext(u'Wacht op aanpassing door het platform') XXXXX
 _("Declaraties waarbij om een aanpassing is gevraagd") 
XXX XXXXXXXXXXX gettext(u'Goedgekeurd, nog niet in een betaalbatch') XXXXX
 _("Goedgekeurde declaraties") 
XXXXX XXXXXXXXXX XXXXXXXXXXXXXXXXXXXX XXXXXXBBB BBBBBBBBBBBBBBBBBBBBXX gettext(u'Betaalbatch maken') XXXXXXXX
XXX XXXXXXXXXXX gettext(u'Open betaalbatches') XXXXX
XXXXBBB B BB BBBBBBBXXXXXX XXXXXXBBB BBBBBBBBBBBBBBBBBBBBBB BBBBXXXXXX X  XXXXXXXBBBBBXXXX gettext(u'Geen open batches.') XXXXXBBBBBBXXXXX
BBBBBBBB
