// Package exchange reads and writes the spreadsheets a grid-management centre
// exchanges with government platforms and with its own staff: Excel workbooks
// (.xlsx) and CSV files, in UTF-8 or in the GBK/GB18030 that Chinese Excel
// saves.
//
// Reading is built for imports that report bad rows one by one: Open finds
// the header row (skipping title rows above it), maps columns to named fields
// by their accepted header texts, and streams the data rows. Each Row knows
// the row number and the column letter the user sees, so a Report can say
// "row 17, column C: …". Reading never loads all rows into memory.
//
// Writing streams too: WriteXLSX uses excelize's StreamWriter and WriteCSV
// writes a UTF-8 BOM so that Excel opens Chinese text correctly.
package exchange
