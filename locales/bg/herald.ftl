# herald — български.

office-default-name = Център за информация и услуги на гражданите
now-calling = Покана
counter-name = Гише { $label }
# Bulgarian buildings count the ground floor as the first: $storey is $floor + 1.
floor-name = етаж { $storey }
recent-calls = Последни повиквания
counters = Гишета
counter-open = работи
counter-paused = почивка
counter-closed = затворено
recall = Повторно повикване
waiting-for-calls = Моля, изчакайте да бъдете повикани
connection-lost = Няма връзка от { $time }
office-closed = Центърът е затворен
office-closed-hint = Моля, заповядайте в работното време.
date-line = { $weekday }, { $day } { $month } { $year } г.
weekday-1 = понеделник
weekday-2 = вторник
weekday-3 = сряда
weekday-4 = четвъртък
weekday-5 = петък
weekday-6 = събота
weekday-7 = неделя
month-1 = януари
month-2 = февруари
month-3 = март
month-4 = април
month-5 = май
month-6 = юни
month-7 = юли
month-8 = август
month-9 = септември
month-10 = октомври
month-11 = ноември
month-12 = декември
