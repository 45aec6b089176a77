package cli

// What `electionbot COMMAND --help` prints after the usage line and the
// summary (commands.go).

const serveHelp = `Serves until interrupted (SIGINT, SIGTERM: it drains and stops). Its
settings are the environment (README.md, "Configuration"): DATABASE_URL,
TELEGRAM_TOKEN, ZALO_*, LISTEN_ADDR, PUBLIC_BASE_URL, BROADCAST_RATE, …
`

const chatHelp = `Flags:
  --demo         load the Ka Long 2022 example into a fresh embedded database
                 (` + demoDatabase + `)
  --demo-city    load the TP Móng Cái example (three wards) into a fresh
                 embedded database (` + demoCityDatabase + `)
  --keep         with --demo or --demo-city: keep the demo database of an
                 earlier run (to talk as another contact)
  --as ID        console contact id (default 1): several residents and
                 officials can share one database
  --admin        make this contact a ward admin
  --now TIME     set the demo clock: "2022-06-04 18:00" (Vietnam time) or
                 RFC 3339; /gio moves it forward
  --lang vi|en   the language the contact starts in (default DEFAULT_LANG)
  --files DIR    folder for charts, exports and the log (default: a new
                 temporary folder)
  -v             log to stderr (LOG_LEVEL) instead of the files folder
`

const loadHelp = `Creates the election of FILE.yaml, or makes the stored one match it:
wards, areas, polling places and candidates upserted by their codes,
areas no longer in the file removed (refused while they have voters or
tallies), and the reminder schedule made the file's. It prints what
changed, by kind, or (unchanged). A bad file is refused with the field
and the reason ("areas[2].households: must be greater than 0"), and
nothing changes.
`

const importVotersHelp = `Replaces the voter lists of the areas FILE lists, in one transaction. The
columns, in any order: area_code,household_no,full_name,birth_year,address,
phone (phone optional; ward_code too when the election has several wards),
or in Vietnamese khu_pho,so_ho,ho_ten,nam_sinh,dia_chi,so_dien_thoai
(ma_xa). A bad row refuses the whole file ("line 17: birth_year "19x1" is
not a year").

Flags:
  --election CODE   the election (default: the current election)
`

const importAreasHelp = `Makes the wards and areas of election CODE those of the table FILE, one row
per area (the whole list: areas it leaves out are removed, refused if they
have voters or tallies). Columns, in any order (docs/design.md §5):
  city,ward_code,ward,area_code,area,households,polling_place,address,lat,lon,candidates
or in Vietnamese:
  thanh_pho,ma_xa,xa,ma_khu,khu,so_ho,noi_bo_phieu,dia_chi,vi_do,kinh_do,nguoi_ung_cu
and optionally unit (loai: thon, ban, ap, khu, khu-pho, to-dan-pho) and
ward_kind (loai_xa: xa, phuong, thi-tran). Candidates are separated by ";".
A column left out keeps what is stored. A bad row refuses the whole table
("line N: reason"). The election is created by "electionbot load FILE.yaml"
first; its date, hours and reminders are left as they are.

Flags:
  --election CODE   the election (required)
`

const exportResultsHelp = `The results as the officials see them, one row per area, in the columns of
the results page's CSV feed (/results/CODE.csv), then the report's review.

Flags:
  --election CODE   the election (required)
  --ward CODE       only this ward's areas
  --format csv|xlsx csv (default): to standard output, or --out;
                    xlsx: to --out, or else to CODE-results.xlsx (CODE-WARD-
                    results.xlsx with --ward) in this folder, -2, -3… added
                    when that file exists; the path written is printed
  --out FILE        write FILE (replaced if it exists)
`

const broadcastSynopsis = `[--election CODE] [--ward CODE | --city NAME] [--audience all|areas|reporters] [--areas kp1,kp3] (--text TEXT | --file FILE) [--yes] [--detach]`

const broadcastHelp = `The same announcement as /thongbao: it shows the preview and the number of
recipients, asks to confirm (unless --yes), queues it and follows it to the
end, progress on stderr and the report on stdout. With TELEGRAM_TOKEN this
process sends too; without it, a running serve sends.

Flags:
  --election CODE      the election (default: the current election)
  --ward CODE          only this ward's people
  --city NAME          only this city's or district's people (as in the
                       election file)
  --audience WHO       all, areas or reporters (default: all; areas with
                       --areas)
  --areas kp1,kp3      only these areas (of --ward when the election has
                       several wards)
  --text TEXT          the announcement
  --file FILE          read the announcement from FILE (- for standard input)
  --yes                send without asking
  --detach             queue it and return (a running serve sends it)
`

const postersHelp = `Writes one printable A4 poster (PNG, 150 dpi) per area of the election — of
one ward with --ward — for its nhà văn hóa: the date, hours and polling
place, a QR code that opens the Telegram bot with the area already chosen,
and the code ("a123") a resident can send the bot on Zalo or Telegram
instead. Files: DIR/<ward_code>/<area_code>.png, and DIR/links.csv with
ward_code,area_code,telegram_url,zalo_url.

The bot's username is TELEGRAM_BOT_USERNAME, or else asked of Telegram
(getMe) with TELEGRAM_TOKEN. zalo_url is https://zalo.me/<ZALO_OA_ID> when
ZALO_OA_ID (the Official Account's id) is set, else empty.

Flags:
  --election CODE   the election (required)
  --out DIR         the folder to write the posters and links.csv into
                    (required)
  --ward CODE       only the areas of this ward
  --lang vi|en      the language of the posters (default vi)
`

const purgeHelp = `Deletes the personal data of election CODE once its purpose is over
(Decree 13/2023): the voter list (names, phones, addresses, birth years),
the verified phones of residents that were on it (officials keep theirs),
the conversation states of its residents, the details of the lookups made
in it and the replies already sent to its residents. The results (areas,
candidates, tallies, reviews) are kept: the results page does not change.
It shows what it will delete and asks to confirm; --yes does not ask.
serve does the same by itself PURGE_AFTER_DAYS days (default 30) after
every area's result is recognised with a head elected (0: never).
`
