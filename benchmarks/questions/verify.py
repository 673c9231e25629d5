"""Re-check benchmarks/questions/ against the evaluation corpus (read from ../shared/data, never copied).

    python3 benchmarks/questions/verify.py [--data DIR] [--quiet]

answerable.jsonl: every answer must occur verbatim (case-sensitive) in the body of its article; the script also
reports answers found in more than one sentence of that article (allowed, but worth a look).
unanswerable.txt: every question has a check below. "absent" patterns are searched in all titles and bodies;
"near" checks list every sentence, in the articles matching the entity pattern, that matches the detail pattern.
Hits are printed for a human to read: all of them were reviewed when the questions were written and none
answers its question. Exit status 1 only for hard failures (missing answer, malformed line, question without check).
"""
import argparse
import json
import re
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
HERE = Path(__file__).resolve().parent
SENT = re.compile(r"(?<=[.!?])[\"']?\s+(?=[\"'A-Z0-9£$])")

CHECKS = [
    ('Who won the 2008 US presidential election?', 'absent', ('2008 (us )?presidential', 'obama', 'elected president in 2008')),
    ('When did Apple release the first iPhone?', 'absent', ('iphone',)),
    ('Why did Lehman Brothers file for bankruptcy in 2008?', 'absent', ('lehman brothers.{0,80}bankrupt', 'bankrupt.{0,80}lehman')),
    ('Which country won the 2006 World Cup final in Berlin?', 'absent', ('won the 2006 world cup', '2006 world cup (final|winners|champions)')),
    ("What was the result of the UK's 2016 referendum on leaving the EU?", 'absent', ('brexit', 'referendum.{0,40}2016', '2016.{0,40}referendum')),
    ('How many people died in the 2011 earthquake and tsunami in north-east Japan?', 'absent', ('tohoku', '2011 (earthquake|tsunami)', 'fukushima.{0,60}(nuclear|tsunami|reactor)')),
    ('Which city hosted the 2016 Summer Olympics?', 'absent', ('2016 (olympic|games|summer)', 'olympics in 2016')),
    ('Who took over from Tony Blair as prime minister when he stood down in 2007?', 'absent', ('2007.{0,60}(became|took over|succeeded).{0,30}prime minister', 'prime minister gordon brown')),
    ('Which parties formed a coalition after the 2010 UK general election?', 'absent', ('2010 (uk )?general election', 'election (of|in) 2010')),
    ('When was Twitter launched?', 'absent', ('twitter',)),
    ('How much did Facebook pay to buy Instagram?', 'absent', ('facebook', 'instagram')),
    ('What emissions cuts did countries promise in the 2015 Paris climate agreement?', 'absent', ('paris (climate )?(agreement|accord).{0,80}(climate|emission|carbon)', '2015.{0,40}climate (deal|agreement|summit)')),
    ('Who was given the Nobel Peace Prize in 2009?', 'absent', ('nobel peace',)),
    ('How much did Google pay to take over YouTube?', 'absent', ('youtube',)),
    ("How many people were killed in the bomb attacks on London's transport network in July 2005?", 'absent', ('7 july', 'july 7', '7/7', '(tube|underground|bus) bomb')),
    ('How much of New Orleans was flooded by Hurricane Katrina?', 'absent', ('hurricane katrina', 'new orleans.{0,80}(flood|hurricane)')),
    ('Which cardinal was elected pope after John Paul II died?', 'absent', ('pope benedict', 'ratzinger', 'new pope', 'elected pope', 'conclave')),
    ('Which film won the best picture Oscar in 2006?', 'absent', ('2006 (oscars|academy awards)', '78th academy')),
    ('Why did savers queue outside Northern Rock branches in 2007?', 'absent', ('northern rock',)),
    ('How many people died in the 2010 earthquake in Haiti?', 'absent', ('haiti',)),
    ('When did eurozone countries agree their first bailout for Greece?', 'absent', ('greece.{0,60}bail', 'bail.{0,60}greece', 'greek bail')),
    ('What damage did Hurricane Sandy cause in New York in 2012?', 'absent', ('hurricane sandy', 'superstorm')),
    ('What was the result of the 2014 Scottish independence referendum?', 'absent', ('scottish independence', 'independence referendum')),
    ('Who won the 2010 football World Cup in South Africa?', 'absent', ('2010 world cup', 'world cup (in|of) 2010')),
    ('When did the UK ban smoking in pubs in England?', 'absent', ('smoking ban.{0,60}england', 'ban(ned)? smoking in (pubs|enclosed)')),
    ('Where were the 2018 Winter Olympics held?', 'absent', ('pyeongchang', '2018 winter', 'winter olympics.{0,40}2018')),
    ('Where was the 2006 G8 summit held?', 'absent', ('st\\.? petersburg', 'g8.{0,60}2006', '2006.{0,60}g8')),
    ('Where will the 2014 Commonwealth Games be staged?', 'absent', ('commonwealth games.{0,80}2014', 'glasgow 2014')),
    ('Who was the first person to walk on the Moon?', 'absent', ('moon landing', 'apollo 11', 'walk(ed)? on the moon', 'set foot on the moon', 'neil armstrong')),
    ('How many people lost their lives when the Titanic went down in 1912?', 'absent', ('1912', 'titanic sank', 'sinking of the titanic')),
    ('What set off the Cuban missile crisis in 1962?', 'absent', ('cuban missile', '1962.{0,40}cuba')),
    ('Who shot President John F Kennedy in Dallas?', 'absent', ('kennedy.{0,40}(assassinat|shot)', 'lee harvey', 'dallas.{0,40}1963')),
    ('In what year did Britain join the European Economic Community?', 'absent', ('(joined|join|entry|entered).{0,40}(common market|european economic community|\\beec\\b)', '1973.{0,60}(\\beec\\b|common market|european community)')),
    ('When was the Berlin Wall put up?', 'absent', ('berlin wall.{0,60}(built|erected|constructed|put up)', '(built|erected|constructed).{0,60}berlin wall')),
    ("Who was Israel's prime minister during the Yom Kippur war?", 'absent', ('yom kippur', 'golda meir', 'october war')),
    ('Why did Britain and France invade Egypt during the Suez crisis?', 'absent', ('suez (crisis|war|invasion)', '1956.{0,40}suez')),
    ('In which year did India win independence from Britain?', 'absent', ('1947', 'india.{0,40}independence', 'independence.{0,40}india')),
    ('How many children died in the Aberfan disaster?', 'absent', ('aberfan',)),
    ('What institutions did the Bretton Woods conference set up in 1944?', 'absent', ('bretton woods',)),
    ('Which country won the first football World Cup in 1930?', 'absent', ('\\b1930\\b', 'first world cup')),
    ('In what year was the state of Israel founded?', 'absent', ('\\b1948\\b', 'israel.{0,40}(founded|creation|established)')),
    ("Who launched China's Cultural Revolution in the 1960s?", 'absent', ('cultural revolution', 'mao zedong', 'chairman mao', 'mao tse')),
    ('How many people died in the Great Smog of London in 1952?', 'absent', ('great smog', '\\b1952\\b')),
    ('When did the first Concorde passenger flight take place?', 'absent', ('concorde',)),
    ('Where were the 1968 Summer Olympics held?', 'absent', ('1968 (summer )?olympic', 'olympics.{0,30}1968', 'mexico city')),
    ('What are the main symptoms of the Zika virus?', 'absent', ('zika',)),
    ('How many cases have been recorded in the latest Ebola outbreak?', 'absent', ('ebola',)),
    ('What is one bitcoin worth right now?', 'absent', ('bitcoin', 'cryptocurrenc')),
    ("What has NASA's Curiosity rover found on Mars?", 'absent', ('curiosity rover', 'rover curiosity', 'mars rover')),
    ('When did South Sudan become an independent country?', 'absent', ('south sudan',)),
    ('Which horse won the Kentucky Derby?', 'absent', ('kentucky derby',)),
    ('How tall is the Burj Khalifa in Dubai?', 'absent', ('burj', 'khalifa')),
    ('Which team lifted the Stanley Cup?', 'absent', ('stanley cup',)),
    ('What new pictures has the Hubble Space Telescope sent back?', 'absent', ('hubble',)),
    ('Who won the Indian Premier League cricket final?', 'absent', ('indian premier league', '\\bIPL\\b')),
    ('How much does a Tesla electric car cost?', 'absent', ('tesla',)),
    ('Has the Large Hadron Collider found the Higgs boson?', 'absent', ('higgs', 'hadron collider')),
    ('How many people went to the Notting Hill Carnival?', 'absent', ('notting hill carnival',)),
    ('Who won the Melbourne Cup horse race?', 'absent', ('melbourne cup',)),
    ('How many wild tigers are left in India?', 'absent', ('tigers? (left|remain|in the wild|population)', 'wild tigers?')),
    ('How many people were displaced by the monsoon floods in Kerala?', 'absent', ('kerala',)),
    ('How many visitors did the Louvre museum get last year?', 'absent', ('louvre (museum|gallery)', 'visitors.{0,40}louvre', 'louvre.{0,40}visitors')),
    ('What did the Rosetta spacecraft find when it landed on its comet?', 'absent', ('rosetta',)),
    ('How many people live in the Falkland Islands?', 'absent', ('falkland',)),
    ('Who won the Nobel Prize in Literature in 2004?', 'absent', ('nobel.{0,60}literature', 'jelinek')),
    ('What did the Deep Impact probe reveal when it struck comet Tempel 1?', 'absent', ('deep impact', 'tempel')),
    ('What is the population of Greenland?', 'absent', ('greenland',)),
    ('Which yacht won the Sydney to Hobart race?', 'absent', ('sydney.{0,10}hobart',)),
    ('How much did the Scottish Parliament building at Holyrood finally cost?', 'absent', ('holyrood.{0,80}(cost|£|overspend|budget)', '(cost|£|overspend|budget).{0,80}holyrood')),
    ('What caused the 2003 blackout that left New York and the north-eastern US without power?', 'absent', ('blackout',)),
    ('Why did Tony Blair resign as prime minister in January 2005?', 'absent', ('blair.{0,40}(resigned as|resignation as) prime minister', 'blair (has )?resigned')),
    ('Why did Microsoft buy Apple in 2004?', 'absent', ('microsoft.{0,40}(bought|buy|acquired?|takeover of|bid for).{0,20}apple',)),
    ('How much did Google pay when it took over Yahoo?', 'absent', ('google.{0,40}(bought|buy|acquired?|takeover of|bid for).{0,20}yahoo',)),
    ('Why were the 2004 Olympic Games moved out of Athens?', 'absent', ('olympics?.{0,60}(moved|relocated|cancelled|called off)', '(moved|relocated).{0,40}athens')),
    ('Which national team did Arsene Wenger coach at Euro 2004?', 'absent', ('wenger.{0,60}(national (team|side) (coach|manager)|coach(ed)? france|euro 2004)',)),
    ('Why did Ronald Reagan resign as president in 1987?', 'absent', ('reagan.{0,40}(resign|step down|stepped down|quit)',)),
    ('How many seats did the Liberal Democrats win in 2001 to become the official opposition?', 'absent', ('lib(eral)? dem(ocrat)?s?.{0,60}(became|become) the official opposition',)),
    ('Why did the European Central Bank scrap the euro in 2005?', 'absent', ('scrap(ped|ping)? the euro', 'abolish(ed|ing)? the euro', 'euro (was|is) (scrapped|abolished)')),
    ('How much did Ford pay to take over Toyota?', 'absent', ('ford.{0,40}(buy|bought|takeover|acquir).{0,20}toyota',)),
    ('Why did Wal-Mart close all its stores in the United States?', 'absent', ('wal-mart.{0,60}(clos|pull(ed)? out|withdr|quit).{0,40}(us|u\\.s\\.|united states|america)',)),
    ('Why was Harry Potter and the Half-Blood Prince banned in Britain?', 'absent', ('harry potter.{0,80}\\bban', '\\bban.{0,80}harry potter')),
    ('Why did the BBC axe EastEnders in 2004?', 'absent', ('eastenders.{0,60}(cancel|axed?\\b|scrap)', '(cancel|axed?\\b|scrap).{0,60}eastenders')),
    ('When was Mikhail Khodorkovsky sentenced to death?', 'absent', ('khodorkovsky.{0,120}death', 'death (sentence|penalty).{0,120}khodorkovsky')),
    ('Why did Japan walk out of the Group of Seven in 1987?', 'absent', ('japan.{0,40}(leave|left|quit|withdr|walk(ed)? out).{0,30}(group of seven|g-7|g7)',)),
    ('Why did Roger Federer retire from tennis in 2004?', 'absent', ('federer.{0,60}retir',)),
    ('How did Chelsea come to be relegated from the Premiership in 2005?', 'absent', ('chelsea.{0,60}relegat',)),
    ('Why did Apple stop selling the iPod in Europe?', 'absent', ('ipod.{0,60}(withdrawn|stop(ped)? selling|banned|pulled)',)),
    ('Why did David Beckham go back to Manchester United in 2004?', 'absent', ('beckham.{0,80}(rejoin|return(ed|s)? to (old trafford|manchester united|man utd))',)),
    ('How many people were killed when the Channel Tunnel collapsed?', 'absent', ('channel tunnel.{0,80}(collaps|disaster|killed)',)),
    ('Why did Bill Gates quit as Microsoft chairman in 2004?', 'absent', ('gates.{0,60}(step(ped|s)? down|resign|quit)',)),
    ('How much did Sony pay to buy Nintendo?', 'absent', ('sony.{0,40}(bought|buy|acquir|takeover).{0,20}nintendo',)),
    ('How many points did Scotland win by when they clinched the 2005 Six Nations Grand Slam?', 'absent', ('scotland.{0,60}grand slam', 'grand slam.{0,60}scotland')),
    ('Why did the Bank of England cut interest rates to zero in 2004?', 'absent', ('rates? to zero', 'zero per ?cent', 'interest rates? (of|at) 0%')),
    ('Why did Yukos move its headquarters to London?', 'absent', ('yukos.{0,80}(headquarters|hq).{0,40}london', 'yukos.{0,40}(move|moved|relocat).{0,40}london')),
    ('Which prize did George Michael win at the 2005 Brit Awards for his documentary?', 'absent', ('george michael.{0,120}brit', 'brit.{0,120}george michael')),
    ('How many stations will the Crossrail line have?', 'near', ('crossrail', 'station')),
    ('How much will a single Crossrail ticket cost?', 'near', ('crossrail', 'fare|ticket|price')),
    ('How many people does James Hardie employ?', 'near', ('james hardie', 'employ|staff|workers|workforce')),
    ('Who is the chief executive of Deutsche Telekom?', 'near', ('deutsche telekom', 'chief executive|boss|ricke|chairman|head of')),
    ('How many companies are listed on the Karachi Stock Exchange?', 'near', ('karachi stock', 'listed|companies')),
    ("How many aircraft are in Virgin Blue's fleet?", 'near', ('virgin blue', 'aircraft|planes|fleet|jets|boeing')),
    ('Who chairs the Australian airline Virgin Blue?', 'near', ('virgin blue', 'chairman|chairwoman|chair\\b')),
    ('Which act will represent the UK at the 50th Eurovision Song Contest?', 'near', ('eurovision', 'represent|uk entry|britain|british|javine|entry')),
    ('Who won the 50th Eurovision Song Contest in Kiev?', 'near', ('eurovision', 'greece|paparizou|winner of the 50th|won the 50th')),
    ('Which Abba song won Eurovision for Sweden in 1974?', 'near', ('eurovision', 'waterloo|1974|sweden')),
    ('Who hosts the NBC stunt show Fear Factor?', 'near', ('fear factor', 'host|present|rogan')),
    ('How many pages long is Harry Potter and the Half-Blood Prince?', 'near', ('half-blood prince', 'pages')),
    ('How many copies of the Half-Blood Prince will be in the first print run?', 'near', ('half-blood prince', 'print run|first printing|printed')),
    ('Who directed Hide and Seek, the thriller starring Robert De Niro?', 'near', ('hide and seek', 'direct')),
    ('Who is the lead singer of Evanescence?', 'near', ('evanescence', 'singer|vocalist|amy lee|frontwoman')),
    ('How old is Welsh health minister Brian Gibbons?', 'near', ('brian gibbons', 'aged|-year-old|born|years old')),
    ('What is the drink-drive limit in France?', 'near', ('drink-drive|drink driv', 'france|french|europe|other countries')),
    ('What was the brand name of the cold remedy Svetlana Kuznetsova says she took?', 'near', ('kuznetsova', 'remedy|brand|medicine|tablet|pill')),
    ('Which club did Luis Aragones play for before he became a coach?', 'near', ('aragones', 'atletico|played for|playing career|as a player|former player')),
    ('On what date did the finished Internet Explorer 7 go on general release?', 'near', ('internet explorer|\\bIE ?7', 'release date|launch(ed)? on|will be released on|went on sale|general release')),
    ('What is the name of the Georgia woman suing HP over its ink cartridges?', 'near', ('hewlett|\\bHP\\b', 'named|plaintiff|her name|woman')),
    ("How much does Sony's Qrio robot cost to buy?", 'near', ('qrio', 'cost|price|\\$|£|yen')),
    ('How much is Google spending to scan the university libraries?', 'near', ('google', 'librar.*(cost|\\$|£|spend|million|bn)|(cost|\\$|£|spend|million|bn).*librar')),
    ('How many customers signed up for Sun Grid in its first month?', 'near', ('sun grid', 'signed up|first month|subscribers|\\d+ customers')),
    ("What wavelength of light does Intel's silicon laser produce?", 'near', ('intel', 'wavelength|nanometre|nanometer|microns?')),
    ('On what date did the .mobi domain go live?', 'near', ('\\.mobi', 'went live on|go live on|launched on|available from|on \\d+ \\w+')),
    ('How many goals did Carlos Tevez score in his first season with Corinthians?', 'near', ('tevez', 'goals|scored|netted')),
    ('When did Jennifer Capriati have an operation on her shoulder?', 'near', ('capriati', 'surgery|operation|operated')),
    ('How much is Walter Smith being paid as Scotland manager?', 'near', ('walter smith', 'salary|paid|£|contract|wage')),
    ('Was aid worker Margaret Hassan freed by her kidnappers?', 'near', ('margaret hassan|mrs hassan', 'killed|released|freed|murder|dead|body|execut')),
    ("When did Coldplay's delayed album finally come out?", 'near', ('coldplay', 'x&y|released on|release date|came out|in the shops|finally')),
    ('How much did The Chorus take at the North American box office?', 'near', ('jugnot|the chorus|les choristes', 'box office|\\$|us release|america')),
    ('Was Kostas Kenteris sent to prison after his criminal trial?', 'near', ('kenteris', 'sentence|jail|prison|convicted|found guilty')),
    ('Did Marion Jones ever admit to using banned drugs?', 'near', ('marion jones', 'admit|confess|admission|pleaded guilty')),
    ("What were Kellogg's earnings for the fourth quarter of 1987?", 'near', ('kellogg', 'fourth quarter|4th qtr|fourth-quarter|year-end|full year|full-year')),
    ("Why did Memory Metals' board remove M. Brian O'Shaugnessy as chairman?", 'near', ('memory metals', 'because|reason|due to|after|following|cited')),
    ("Who won South Korea's presidential election in December 1987?", 'near', ('roh tae|chun doo|kim dae-jung|kim young-sam', 'won the (presidential )?election|elected president|election victory|wins presidency')),
    ('How much did Texaco finally pay Pennzoil to end their legal battle?', 'near', ('pennzoil', 'agreed to pay|final settlement|settled (the|their)|settlement of \\d|reached a settlement|ends? (the|their) (dispute|battle|litigation)')),
    ("What was Hungary's inflation rate in 1987?", 'near', ('hungary|hungarian', 'inflation')),
    ("Which videocassette was CBS/Fox Video's best seller in 1986?", 'near', ('cbs/fox', 'best-selling|top-selling|best seller|bestseller|biggest-selling')),
    ('How much oil does Santos estimate the Mawson One find holds?', 'near', ('mawson', 'reserves|recoverable|mln barrels|million barrels|estimate')),
    ('Who was chief executive of Abbott Laboratories in 1987?', 'near', ('abbott lab', 'chief executive|chairman|president')),
    ('What prices will Calton ask for the Homes of Tapestry townhomes?', 'near', ('calton', 'price|priced|\\$|dlrs|cost')),
    ('How many people work for Whittaker Corp?', 'near', ('whittaker', 'employ|workers|staff|workforce')),
    ('Who is the chief executive of Santos?', 'near', ('santos ltd|santos said|\\bsantos\\b.{0,20}(oil|gas)', 'chief executive|managing director|chairman|general manager')),
    ("What were Tracor's total sales in 1986?", 'near', ('tracor', 'revenue|sales')),
    ('How much profit did Ford Motor Credit make in 1986?', 'near', ('ford motor credit', 'net income|earned|profit|earnings')),
    ('Did the Rostam platform produce more than 50,000 barrels of oil a day before the US attack?', 'near', ('rostam', 'barrels|bpd|production|output|pump')),
    ('Who is the chief executive of Dimension Data, the firm behind the call-centre survey?', 'near', ('dimension data', 'chief executive|boss|chairman')),
    ('How many votes were cast in the poll that named Belle & Sebastian the best Scottish band?', 'near', ('belle & sebastian', 'votes|voted|people took part|respondents')),
    ('How many people have applied for Home Office approval to marry since the new rules began?', 'near', ('sham marriage|home office approval to marry', 'applications|applied|applicants')),
    ("What was Dougie Walker's personal best over 200 metres?", 'near', ('dougie walker', 'personal best|seconds|\\d+\\.\\d+')),
    ('Which company bought the internet phone firm Skype, and for how much?', 'near', ('skype', '(bought|buy|acquir|takeover|purchase|sold)')),
    ('How many people does the Japanese firm Matsushita employ?', 'near', ('matsushita', 'employ|workers|staff|workforce')),
    ('Did England win back the Ashes from Australia in the 2005 cricket series?', 'near', ('cricket', 'ashes')),
    ('What majority did Labour win at the May 2005 general election?', 'near', ('general election', 'won a majority of|majority of 66|landslide victory in 2005|won the 2005|re-elected with a majority|third term victory')),
    ('Which team won the 2005 Champions League final in Istanbul?', 'near', ('champions league', 'istanbul|won the champions league|european champions 2005')),
    ('Which city won the vote to host the 2012 Olympic Games?', 'near', ('2012', '(won|awarded|chosen|selected|winner|will host|hosts?\\\\b|host city|victory)')),
    ('Did Tony Blair win a third term at the 2005 general election?', 'near', ('general election', 'won (a|his) (historic )?third term|third[- ]term victory|was re-elected|won the (2005 )?(general )?election')),
    ('Did Brett Godfrey step down as chief executive of Virgin Blue in 2005?', 'near', ('virgin blue', 'resign|quit|step(ped|s)? down|leave|left|replac|successor')),
    ('Did Carlos Tevez sign a five-year contract with Corinthians?', 'near', ('tevez', 'contract|year deal|-year|signed')),
    ('Did Yukos take its bankruptcy case to the US Supreme Court?', 'near', ('yukos', 'supreme court')),
    ("Where is Whittaker Corp's head office?", 'near', ('whittaker', 'based|los angeles|headquarter|head office')),
]


def load(data):
    docs = {}
    with open(data / "bbc_news" / "articles.jsonl", encoding="utf-8") as f:
        for line in f:
            a = json.loads(line)
            if a.get("duplicate_of") is None:
                docs[a["id"]] = (a["title"], a["text"])
    with open(data / "reuters21578" / "reuters21578_test.jsonl", encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            docs[str(r["newid"])] = (r["title"], r["body"])
    return docs


def sentences(text):
    return SENT.split(" ".join(text.split()))


def check_answerable(docs, quiet):
    failures, multi, n = 0, 0, 0
    lines = (HERE / "answerable.jsonl").read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines, 1):
        n += 1
        row = json.loads(line)
        art, ans, split = row["article"], row["answer"], row["split"]
        problems = []
        if set(row) != {"q", "article", "answer", "split"} or split not in ("dev", "test"):
            problems.append("bad fields")
        if not 1 <= len(ans.split()) <= 6:
            problems.append("answer is not 1-6 words")
        if art not in docs:
            problems.append("unknown article")
        elif ans not in docs[art][1]:
            problems.append("answer not verbatim in the article body")
        if problems:
            failures += 1
            print(f"FAIL answerable:{i} {art} {ans!r}: {', '.join(problems)}")
            continue
        k = sum(ans in s for s in sentences(docs[art][1]))
        if k != 1:
            multi += 1
            if not quiet:
                print(f"note answerable:{i} {art} {ans!r} is in {k} sentences")
    print(f"answerable.jsonl: {n} questions, {failures} failures, {multi} answers in more than one sentence")
    return failures


def check_unanswerable(docs, quiet):
    questions = [line.strip() for line in (HERE / "unanswerable.txt").read_text(encoding="utf-8").splitlines()
                 if line.strip() and not line.startswith("#")]
    table = {q: (kind, spec) for q, kind, spec in CHECKS}
    missing = [q for q in questions if q not in table]
    for q in missing:
        print(f"FAIL unanswerable: no check for {q!r}")
    full = {k: t + "\n" + x for k, (t, x) in docs.items()}
    hits_total = 0
    for q in questions:
        if q not in table:
            continue
        kind, spec = table[q]
        hits = []
        if kind == "absent":
            for p in spec:
                rx = re.compile(p, re.I | re.S)
                hits += [(k, " ".join(s[max(0, m.start() - 80):m.end() + 80].split()))
                         for k, s in full.items() for m in [rx.search(s)] if m]
        else:
            ent, det = (re.compile(p, re.I) for p in spec)
            arts = [k for k, s in full.items() if ent.search(s)]
            if not arts:
                print(f"FAIL unanswerable: near miss whose entity is not in the corpus: {q!r}")
                missing.append(q)
            hits = [(k, s) for k in arts for s in sentences(docs[k][1]) if det.search(s)]
        hits_total += len(hits)
        if hits and not quiet:
            print(f"review {q!r}")
            for k, s in hits[:5]:
                print(f"    [{k}] {s[:200]}")
    print(f"unanswerable.txt: {len(questions)} questions ({sum(table.get(q, ('',))[0] == 'near' for q in questions)} near misses), "
          f"{len(missing)} failures, {hits_total} pattern hits to review by eye")
    return len(missing)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--quiet", action="store_true", help="print only the summaries and failures")
    args = ap.parse_args()
    docs = load(args.data)
    bad = check_answerable(docs, args.quiet) + check_unanswerable(docs, args.quiet)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
