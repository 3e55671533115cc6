package internal
import (_ "github.com/xuri/excelize/v2"; _ "github.com/skip2/go-qrcode")

