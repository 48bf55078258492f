package scalingodb

import (
	"context"
	"encoding/json"
	"fmt"
	"unicode/utf8"

	"github.com/scalingodb/dbapi-go/gen/dbapi"
	"github.com/scalingodb/dbapi-go/pkg/scalingodb/internal/apicall"
	"github.com/scalingodb/dbapi-go/pkg/scalingodb/internal/wire"
)

// UsersService manages the users of the database engine.
type UsersService struct{ service }

// PasswordEncryption is the password hashing scheme of a PostgreSQL user.
type PasswordEncryption string

// Password hashing schemes.
const (
	PasswordSCRAMSHA256 PasswordEncryption = "SCRAM-SHA-256"
	PasswordMD5         PasswordEncryption = "MD5"
)

// DatabaseUser is a user of the database engine.
type DatabaseUser struct {
	Name     string
	ReadOnly bool
	// Protected users cannot be updated nor deleted.
	Protected bool
	// Password is set only right after Create, UpdatePassword or
	// ResetPassword; it prints as "[redacted]", and Password.Reveal()
	// returns it.
	Password Secret
	// PasswordEncryption is set for PostgreSQL users only.
	PasswordEncryption PasswordEncryption
}

// String describes the user without its password.
func (u DatabaseUser) String() string {
	return fmt.Sprintf("DatabaseUser{Name: %s, ReadOnly: %t, Protected: %t, Password: %s}", u.Name, u.ReadOnly, u.Protected, u.Password)
}

// userWire is DatabaseUser on the wire.
type userWire struct {
	Name           string             `json:"name"`
	ReadOnly       wire.OptBool       `json:"read_only"`
	Protected      bool               `json:"protected"`
	Password       string             `json:"password"`
	DbmsAttributes dbmsAttributesWire `json:"dbms_attributes"`
}

// dbmsAttributesWire is the engine-specific part of a user on the wire.
type dbmsAttributesWire struct {
	PasswordEncryption PasswordEncryption `json:"password_encryption"`
}

// user converts the wire form, checking the required fields.
func (w *userWire) user(o *apicall.Op, status int, needPassword bool) (*DatabaseUser, error) {
	if w.Name == "" || !w.ReadOnly.Set {
		return nil, apicall.Malformed(o, status, `missing required field "name" or "read_only"`)
	}
	if needPassword && w.Password == "" {
		return nil, apicall.Malformed(o, status, `missing required field "password"`)
	}
	return &DatabaseUser{Name: w.Name, ReadOnly: w.ReadOnly.V, Protected: w.Protected, Password: NewSecret(w.Password), PasswordEncryption: w.DbmsAttributes.PasswordEncryption}, nil
}

// CreateUserParams describes a new user.
type CreateUserParams struct {
	// Name: 6 to 32 lower-case letters, digits and hyphens, with no hyphen
	// at either end and no two hyphens in a row.
	Name string
	// ReadOnly makes a user that can only read.
	ReadOnly bool
	// Password: 24 to 64 characters; empty to let the server generate one.
	Password Secret
}

// ValidateUserName checks the user name rules of the API: 6 to 32
// lower-case letters, digits and hyphens, no hyphen at either end, no two
// hyphens in a row. The error is a *InvalidInputError.
func ValidateUserName(name string) error {
	if n := len(name); n < 6 || n > 32 {
		return &InvalidInputError{Field: "name", Reason: "must be 6 to 32 characters long"}
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c == '-':
			if i == 0 || i == len(name)-1 {
				return &InvalidInputError{Field: "name", Reason: "must not start or end with a hyphen"}
			}
			if name[i-1] == '-' {
				return &InvalidInputError{Field: "name", Reason: "must not hold two hyphens in a row"}
			}
		default:
			return &InvalidInputError{Field: "name", Reason: "must hold only lower-case letters, digits and hyphens"}
		}
	}
	return nil
}

// ValidatePassword checks the password rules of the API: 24 to 64
// characters. The error is a *InvalidInputError and never holds the password.
func ValidatePassword(password Secret) error {
	if n := utf8.RuneCountInString(password.Reveal()); n < 24 || n > 64 {
		return &InvalidInputError{Field: "password", Reason: "must be 24 to 64 characters long"}
	}
	return nil
}

// List returns every user of the database engine.
//
// API: GET /databases/{database_id}/users (listDatabaseUsers)
func (s *UsersService) List(ctx context.Context, databaseID string) ([]*DatabaseUser, error) {
	wires, status, err := apicall.Fetch[[]userWire](ctx, s.c.caller, apicall.OpListDatabaseUsers, apicall.Call1(s.c.api.ListDatabaseUsers, databaseID))
	if err != nil {
		return nil, err
	}
	out := make([]*DatabaseUser, len(*wires))
	for i := range *wires {
		if out[i], err = (*wires)[i].user(apicall.OpListDatabaseUsers, status, false); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Create creates a user after checking the name and password rules
// locally (an *InvalidInputError is returned before any request). The
// answer holds the password, generated when p.Password is empty. It is
// sent again only after a 429: a lost answer may hide a created user, and
// the error then matches ErrOutcomeUnknown and names the user to check.
//
// API: POST /databases/{database_id}/users (createDatabaseUser)
func (s *UsersService) Create(ctx context.Context, databaseID string, p *CreateUserParams) (*DatabaseUser, error) {
	if p == nil {
		return nil, &InvalidInputError{Field: "params", Reason: "must not be nil"}
	}
	if err := ValidateUserName(p.Name); err != nil {
		return nil, err
	}
	w := dbapi.DatabaseUserCreate{DatabaseID: &databaseID, Name: p.Name, ReadOnly: &p.ReadOnly}
	if !p.Password.IsZero() {
		if err := ValidatePassword(p.Password); err != nil {
			return nil, err
		}
		pw := p.Password.Reveal()
		w.Password, w.PasswordConfirmation = &pw, &pw
	}
	body, err := json.Marshal(dbapi.DatabaseUserCreateRequest{DatabaseUser: w})
	if err != nil {
		return nil, err
	}
	u, err := s.userCall(ctx, apicall.OpCreateDatabaseUser, true, apicall.Body1(s.c.api.CreateDatabaseUserWithBody, databaseID, body))
	if err != nil {
		return nil, apicall.WithCheck(err, fmt.Sprintf("whether user %q exists on database %s (Users.List); its password is shown in the lost answer only: if the user exists, reset its password (Users.ResetPassword)", p.Name, databaseID))
	}
	return u, nil
}

// UpdatePassword sets a password chosen by the caller (24 to 64
// characters, checked locally first). Protected users cannot be updated.
// Setting the same password twice has the same effect, so it is retried.
//
// API: PATCH /databases/{database_id}/users/{username} (updateDatabaseUser)
func (s *UsersService) UpdatePassword(ctx context.Context, databaseID, username string, password Secret) (*DatabaseUser, error) {
	if err := ValidatePassword(password); err != nil {
		return nil, err
	}
	pw := password.Reveal()
	body, err := json.Marshal(dbapi.DatabaseUserUpdateRequest{DatabaseUser: dbapi.DatabaseUserUpdate{DatabaseID: &databaseID, Password: pw, PasswordConfirmation: &pw}})
	if err != nil {
		return nil, err
	}
	return s.userCall(ctx, apicall.OpUpdateDatabaseUser, false, apicall.Body2(s.c.api.UpdateDatabaseUserWithBody, databaseID, username, body))
}

// ResetPassword replaces the password of a user with a generated one,
// returned in this answer only. It is sent again only after a 429; a lost
// answer loses the new password, and the error then matches
// ErrOutcomeUnknown.
//
// API: POST /databases/{database_id}/users/{username}/reset_password (resetDatabaseUserPassword)
func (s *UsersService) ResetPassword(ctx context.Context, databaseID, username string) (*DatabaseUser, error) {
	u, err := s.userCall(ctx, apicall.OpResetDatabaseUserPassword, true, apicall.Call2(s.c.api.ResetDatabaseUserPassword, databaseID, username))
	if err != nil {
		return nil, apicall.WithCheck(err, fmt.Sprintf("user %q of database %s: its password may have changed to one never shown; reset it again (Users.ResetPassword) to get one", username, databaseID))
	}
	return u, nil
}

// Delete removes a user. Protected users cannot be deleted. It is retried,
// and a 404 after an attempt that may have applied (a 5xx or a lost
// answer) means the user is gone: Delete returns nil. A 404 on the first
// attempt is ErrNotFound.
//
// API: DELETE /databases/{database_id}/users/{username} (deleteDatabaseUser)
func (s *UsersService) Delete(ctx context.Context, databaseID, username string) error {
	return s.c.caller.Send(ctx, apicall.OpDeleteDatabaseUser, apicall.Call2(s.c.api.DeleteDatabaseUser, databaseID, username))
}

func (s *UsersService) userCall(ctx context.Context, o *apicall.Op, needPassword bool, r apicall.Request) (*DatabaseUser, error) {
	w, a, err := apicall.FetchAnswer[userWire](ctx, s.c.caller, o, r)
	if err != nil {
		return nil, err
	}
	u, err := w.user(o, a.Status, needPassword)
	return u, a.Tag(err)
}
