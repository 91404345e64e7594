# herald — македонски.

office-default-name = Општински центар за услуги
now-calling = Повикуваме
counter-name = Шалтер { $label }
floor-name = { $floor ->
    [0] приземје
   *[other] { $floor } кат
}
recent-calls = Последни повици
counters = Шалтери
counter-open = отворено
counter-paused = пауза
counter-closed = затворено
recall = Повторен повик
waiting-for-calls = Ве молиме, почекајте да бидете повикани
connection-lost = Нема врска од { $time }
office-closed = Центарот е затворен
office-closed-hint = Ве молиме, дојдете во работното време.
date-line = { $weekday }, { $day } { $month } { $year }
weekday-1 = понеделник
weekday-2 = вторник
weekday-3 = среда
weekday-4 = четврток
weekday-5 = петок
weekday-6 = сабота
weekday-7 = недела
month-1 = јануари
month-2 = февруари
month-3 = март
month-4 = април
month-5 = мај
month-6 = јуни
month-7 = јули
month-8 = август
month-9 = септември
month-10 = октомври
month-11 = ноември
month-12 = декември
