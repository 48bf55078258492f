package mockserver

import (
	"context"
	"crypto/rand"
	"regexp"
	"unicode/utf8"

	"github.com/scalingodb/dbapi-go/gen/dbapi"
	"github.com/scalingodb/dbapi-go/pkg/mockserver/internal/respond"
	"github.com/scalingodb/dbapi-go/pkg/mockserver/internal/specrules"
)

var userNameRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// generatePassword returns a 32-character password from crypto/rand.
func generatePassword() string {
	return rand.Text() + "_" + rand.Text()[:5]
}

func checkUserName(name string) []string {
	var errs []string
	if len(name) < 6 || len(name) > 32 {
		errs = append(errs, "name", "should be between 6 and 32 characters long")
	}
	if !userNameRE.MatchString(name) {
		errs = append(errs, "name", "should contain only lowercap letters, digits and hyphens")
	}
	return errs
}

// checkPassword enforces the length of a password: 24 to 64 characters, counted as the spec's
// minLength and maxLength count them (code points, not bytes). That the confirmation equals it is
// the spec's x-must-equal rule (specrules.MustEqual).
func checkPassword(pw *string) []string {
	if n := utf8.RuneCountInString(*pw); n < 24 || n > 64 {
		return []string{"password", "should be between 24 and 64 characters long"}
	}
	return nil
}

// onUser runs f on the user name of the database id with s.mu held, or answers 404 when either is
// unknown (see onDatabase).
func onUser[R any](s handlers, id, name string, f func(db *database, u *user) (R, error)) (R, error) {
	return onDatabase(s, id, func(db *database) (R, error) {
		u, ok := db.users.Get(name)
		if !ok {
			return any(respond.NotFound("database_user")).(R), nil
		}
		return f(db, u)
	})
}

// ListDatabaseUsers lists the users of a database.
func (s handlers) ListDatabaseUsers(_ context.Context, req dbapi.ListDatabaseUsersRequestObject) (dbapi.ListDatabaseUsersResponseObject, error) {
	return onDatabase(s, req.DatabaseID, func(db *database) (dbapi.ListDatabaseUsersResponseObject, error) {
		if db.usersList == nil { // the list is put together once per change, from users encoded once
			db.usersList = respond.EncodeList("database-users", db.users.All(), func(u *user) []byte { return u.enc })
		}
		return respond.Cached(db.usersList), nil
	})
}

// CreateDatabaseUser creates a user; the password is generated when none is given and returned once.
func (s handlers) CreateDatabaseUser(_ context.Context, req dbapi.CreateDatabaseUserRequestObject) (dbapi.CreateDatabaseUserResponseObject, error) {
	in := req.Body.DatabaseUser
	errs := checkUserName(in.Name)
	password := ""
	if in.Password != nil {
		errs = append(errs, checkPassword(in.Password)...)
		password = *in.Password
	}
	errs = append(errs, specrules.MustEqual("createDatabaseUser", req.Body)...)
	if len(errs) > 0 {
		return respond.Invalid(errs...), nil
	}
	return onDatabase(s, req.DatabaseID, func(db *database) (dbapi.CreateDatabaseUserResponseObject, error) {
		if _, taken := db.users.Get(in.Name); taken {
			return respond.Invalid("name", "has already been taken"), nil
		}
		if password == "" {
			password = generatePassword()
		}
		nu := user{name: in.Name, readOnly: in.ReadOnly != nil && *in.ReadOnly}
		if db.db.TypeName == "postgresql" {
			enc := dbapi.PasswordEncryptionSCRAMSHA256
			nu.dbms = &dbapi.DbmsAttributes{PasswordEncryption: &enc}
		}
		u, err := newUser(nu)
		if err != nil {
			return nil, err
		}
		db.users.Add(u.name, u)
		db.usersList = nil
		return dbapi.CreateDatabaseUser201JSONResponse{DatabaseUser: withPassword(u, password)}, nil
	})
}

func withPassword(u *user, password string) dbapi.DatabaseUserWithPassword {
	p := u.protected
	return dbapi.DatabaseUserWithPassword{Name: u.name, ReadOnly: u.readOnly, Protected: &p, Password: password, DbmsAttributes: u.dbms}
}

// UpdateDatabaseUser sets a password chosen by the caller; protected users are refused.
func (s handlers) UpdateDatabaseUser(_ context.Context, req dbapi.UpdateDatabaseUserRequestObject) (dbapi.UpdateDatabaseUserResponseObject, error) {
	return onUser(s, req.DatabaseID, req.Username, func(_ *database, u *user) (dbapi.UpdateDatabaseUserResponseObject, error) {
		if u.protected {
			return respond.Forbidden("protected users cannot be updated"), nil
		}
		in := req.Body.DatabaseUser
		errs := append(checkPassword(&in.Password), specrules.MustEqual("updateDatabaseUser", req.Body)...)
		if len(errs) > 0 {
			return respond.Invalid(errs...), nil
		}
		return dbapi.UpdateDatabaseUser200JSONResponse{DatabaseUser: u.view()}, nil
	})
}

// ResetDatabaseUserPassword replaces a user's password with a generated one, returned once.
func (s handlers) ResetDatabaseUserPassword(_ context.Context, req dbapi.ResetDatabaseUserPasswordRequestObject) (dbapi.ResetDatabaseUserPasswordResponseObject, error) {
	return onUser(s, req.DatabaseID, req.Username, func(_ *database, u *user) (dbapi.ResetDatabaseUserPasswordResponseObject, error) {
		return dbapi.ResetDatabaseUserPassword200JSONResponse{DatabaseUser: withPassword(u, generatePassword())}, nil
	})
}

// DeleteDatabaseUser removes a user; protected users are refused.
func (s handlers) DeleteDatabaseUser(_ context.Context, req dbapi.DeleteDatabaseUserRequestObject) (dbapi.DeleteDatabaseUserResponseObject, error) {
	return onUser(s, req.DatabaseID, req.Username, func(db *database, u *user) (dbapi.DeleteDatabaseUserResponseObject, error) {
		if u.protected {
			return respond.Forbidden("protected users cannot be deleted"), nil
		}
		db.users.Remove(u.name)
		db.usersList = nil
		return dbapi.DeleteDatabaseUser204Response{}, nil
	})
}
