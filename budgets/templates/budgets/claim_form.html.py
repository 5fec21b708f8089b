BBBBBBB BBBBBBBBBBBBBBB BBBB BBBBBBBBBBBBBBBBB
BBBBB BBBBBBB BBBBB gettext(u'Declaratie aanpassen') BBBB gettext(u'Declaratie indienen') BBBBBBBBBBBBB
BBBBB BBBBBBB
XXXXBB BBBBB gettext(u'Declaratie aanpassen') BBBB gettext(u'Declaratie indienen') BBBBBXXXXX
XXX gettext(u'Budget %(year)s van %(name)s.') SSSSSS SSSSSSSS SSS SSSSSSSSS
 gettext(u'De ondersteuningsorganisatie controleert uw declaratie en betaalt die uit. Bonnen en IBAN zijn nooit openbaar.') XXXX
BB BBBBB BBB BBBBBBBBBBBBBBBBBBBBXXXX XXXXXXXXXXXX XXXXXXXXXXXXXXX gettext(u'Gevraagde aanpassing:')  XXXXXXBBBBB
XXXXX XXXXXXXXXXXXX XXXXXXXXXXXXXXXXXXXXXXXXXXXXX XXXXXXXXXXXBBBBBBBBBB
  FFFFFF
  XXXXXXX XXXXXXXXXXXXX XXXXXXXXXX XXXXXXXXXXXXXBB BBBBB gettext(u'Opnieuw indienen') BBBB gettext(u'Indienen') BBBBBXXXXXXXXX
XXXXXXX
BBBBBBBB
