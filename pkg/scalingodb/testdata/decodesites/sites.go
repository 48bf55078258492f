// Package decodesites holds decode sites for TestFindDecodeSites: one of
// each form the finder knows, and two it cannot tell. It is not compiled.
package decodesites

func (s *S) get(ctx context.Context) {
	fetchOne[Backup](ctx, s.c, opGetBackup, call1(s.c.api.GetBackup, "b"))
}

func (s *S) anonymous(ctx context.Context) {
	fetch[struct {
		URL string `json:"url"`
	}](ctx, s.c, opGetDatabaseLogsUrl, r)
}

func (s *S) local(ctx context.Context) {
	o, r := opCreateBackup, call1(s.c.api.CreateBackup, "db")
	var w createdBackupWire
	s.c.call(ctx, o, r.send, &w)
}

func (s *S) newValue(ctx context.Context) {
	s.c.call(ctx, opCreateBackup, r.send, new(Backup))
}

func (s *S) viaParam(ctx context.Context, o *op) {
	fetchAnswer[userWire](ctx, s.c, o, r)
}

func (s *S) caller(ctx context.Context) {
	s.viaParam(ctx, opCreateDatabaseUser)
	s.viaParam(ctx, opResetDatabaseUserPassword)
}

func (s *S) noCaller(ctx context.Context, o *op) {
	fetchList[Plan](ctx, s.c, o, r)
}

func (s *S) passThrough(ctx context.Context, o *op, out any) {
	s.c.call(ctx, o, send, out)
}

func (s *S) send(ctx context.Context) {
	s.passThrough(ctx, opDeleteBackup, nil)
}
