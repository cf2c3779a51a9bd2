#pragma once

#include <Poco/Data/Session.h>

namespace passerelle::store {

// Applies, in order and each in its own transaction, the numbered migrations (NNN_name.sql)
// embedded from store/migrations/sqlite that the database has not seen yet. Returns the
// schema version reached.
int migrateSqlite(Poco::Data::Session& session);

}  // namespace passerelle::store
