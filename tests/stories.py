"""Wire stories written for the duplicate tests: one story, a lightly edited copy of it, and another story."""

WIRE = "\n\n".join((
    'The harbour authority of Port Halden said on Tuesday that it would close the northern container terminal for '
    'six weeks from March to repair storm damage to two of its cranes.',
    'The closure will divert about 40 ships a week to the southern terminal, which the authority said could handle '
    'the extra traffic if it worked through the night.',
    'Shipping companies said they expected delays of one to two days for cargo bound for inland warehouses, and '
    'several asked the authority to waive berthing fees during the works.',
    '"We know this is an inconvenience, but the cranes are forty years old and the winter storms left us no '
    'choice," the authority\'s director, Mara Lindqvist, told reporters at the port.',
    'The repairs are expected to cost 18 million crowns, to be shared between the city and the national '
    'infrastructure fund.',
    'Union leaders said dock workers at the northern terminal would be moved to the southern one and that no jobs '
    'would be lost.',
))

# The same wire story as another outlet ran it: a new headline, a few words changed, the last paragraph cut.
EDITED = "\n\n".join((
    'The harbour authority of Port Halden said on Tuesday it would shut the northern container terminal for six '
    'weeks from March to repair storm damage to two of its cranes.',
    'The closure will divert around 40 ships a week to the southern terminal, which the authority said could handle'
    ' the extra traffic if it worked through the night.',
    'Shipping firms said they expected delays of one to two days for cargo bound for inland warehouses, and several'
    ' asked the authority to waive berthing fees during the works.',
    '"We know this is an inconvenience, but the cranes are forty years old and the winter storms left us no '
    'choice," the authority\'s director, Mara Lindqvist, told reporters at the port.',
    'The repairs are expected to cost 18 million crowns, to be shared between the city and the national '
    'infrastructure fund.',
))

# Another story on the same topic (the same port and cranes), written apart: it must stay an article of its own.
SAME_TOPIC = "\n\n".join((
    'Dock workers at Port Halden voted on Friday to accept a new two-year pay deal, ending a dispute that had '
    'threatened strikes during the repair of the northern terminal.',
    'The agreement raises wages by four percent this year and three percent next year, and adds a night shift '
    'allowance for the southern terminal while the cranes are repaired.',
    'The harbour authority welcomed the vote and said the deal would keep the port open through the busy spring '
    'season.',
    "Mara Lindqvist, the authority's director, said the port had lost no ships to rival harbours despite the storm "
    'damage.',
    'Shipping companies had warned that a strike during the closure would push cargo to ports further along the '
    'coast.',
))
