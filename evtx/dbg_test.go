package evtx
import ("testing";"os";"strconv")
func TestDbg(t *testing.T){
	id,_:=strconv.ParseUint(os.Getenv("R"),10,64)
	ReadFile(os.Getenv("F"), Filter{}, func(ev Event) error {if ev.RecordID==id {t.Logf("%+q %+v", ev.Data, ev)}; return nil}, func(w Warning){ })
}
