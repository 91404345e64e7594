# herald — slovenčina.

office-default-name = Klientske centrum
now-calling = Vyvolávame
counter-name = Okienko { $label }
floor-name = { $floor ->
    [0] prízemie
   *[other] { $floor }. poschodie
}
recent-calls = Posledné vyvolania
counters = Pracoviská
counter-open = otvorené
counter-paused = prestávka
counter-closed = zatvorené
recall = Opakované vyvolanie
waiting-for-calls = Prosíme, počkajte na vyvolanie
connection-lost = Spojenie prerušené od { $time }
office-closed = Klientske centrum je zatvorené
office-closed-hint = Príďte, prosím, v úradných hodinách.

# The emergency screen over everything: its title by kind, and since when it holds.
emergency-evacuation = Evakuácia
emergency-closing = Klientske centrum sa zatvára
emergency-other = Dôležité oznámenie
emergency-since = Vyhlásené o { $time }
office-hours = Úradné hodiny: { $hours }
notices-paused = Oznamy sú pozastavené
media-paused = Obrázky sú pozastavené
date-line = { $weekday } { $day }. { $month } { $year }
weekday-1 = pondelok
weekday-2 = utorok
weekday-3 = streda
weekday-4 = štvrtok
weekday-5 = piatok
weekday-6 = sobota
weekday-7 = nedeľa
# Months in the genitive, as in a date: "22. novembra".
month-1 = januára
month-2 = februára
month-3 = marca
month-4 = apríla
month-5 = mája
month-6 = júna
month-7 = júla
month-8 = augusta
month-9 = septembra
month-10 = októbra
month-11 = novembra
month-12 = decembra

# Hlásenia (číta ich hlas systému).
speech-ticket = Lístok
speech-go-to = prosíme, pristúpte k okienku číslo
speech-recall-ticket = Opakujeme: lístok
speech-recall-counter = okienko číslo
# $ordinal: „prvom“, „druhom“… (z tabuľky v herald-core).
speech-floor = { $floor ->
    [0] na prízemí
   *[other] na { $ordinal } poschodí
}
# Názvy písmen. Samohlásky ako „písmeno …“: samotné „a“, „i“, „o“, „u“ sú slová
# a hlas číta osamotené „á“ ako „dlhé á“.
ticket-letter = { $letter ->
    [A] písmeno A
    [B] bé
    [C] cé
    [D] dé
    [E] písmeno E
    [F] ef
    [G] gé
    [H] há
    [I] písmeno I
    [J] jé
    [K] ká
    [L] el
    [M] em
    [N] en
    [O] písmeno O
    [P] pé
    [Q] kvé
    [R] er
    [S] es
    [T] té
    [U] písmeno U
    [V] vé
    [W] dvojité vé
    [X] iks
    [Y] ypsilon
    [Z] zet
   *[other] { $letter }
}
people-waiting = { $count ->
    [one] { $count } človek čaká
    [few] { $count } ľudia čakajú
    [many] { $count } človeka čaká
   *[other] { $count } ľudí čaká
}

# Čo miestnosť potrebuje vedieť: prednostné lístky, volania inde v budove, čakajúci.
priority = Prednostne
elsewhere = Inde
elsewhere-call = { $ticket } – { $counter }, { $floor }{ $way ->
    [up] {" "}(vyššie)
    [down] {" "}(nižšie)
   *[other] {""}
}
queue-title = Čakajúci
queue-wait = asi { $minutes } min
queue-next = Ďalší: { $tickets }
qr-caption = Vybavte si to aj online: naskenujte kód

# Kedy sa otvára (rozvrh úradných hodín).
opens-next = { $when ->
    [today] Otvorené dnes od { $time }
    [tomorrow] Otvorené zajtra od { $time }
    [weekday] Otvorené { $weekday } od { $time }
   *[date] Otvorené { $date } od { $time }
}
opens-date = { $day }. { $month }
on-weekday-1 = v pondelok
on-weekday-2 = v utorok
on-weekday-3 = v stredu
on-weekday-4 = vo štvrtok
on-weekday-5 = v piatok
on-weekday-6 = v sobotu
on-weekday-7 = v nedeľu
