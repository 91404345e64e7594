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
