-- The seed's 01-schema.sql: users, communities (Discord's servers, Reddit's subreddits), their
-- channels, members, posts, comments, votes and chat messages.
CREATE TABLE users (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  username      text NOT NULL,
  email         text NOT NULL,
  password_hash text NOT NULL,
  display_name  text,
  region        text NOT NULL DEFAULT 'us-east',
  karma         integer NOT NULL DEFAULT 0,
  created_at    timestamptz NOT NULL DEFAULT now(),
  last_seen_at  timestamptz
);
CREATE UNIQUE INDEX users_username_key ON users (lower(username));
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

CREATE TABLE communities (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name        text NOT NULL UNIQUE,
  description text,
  owner_id    bigint NOT NULL REFERENCES users (id),
  region      text NOT NULL DEFAULT 'us-east',
  is_private  boolean NOT NULL DEFAULT false,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX communities_owner_idx ON communities (owner_id);

CREATE TABLE community_members (
  community_id bigint NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
  user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  role         text NOT NULL DEFAULT 'member' CHECK (role IN ('owner', 'moderator', 'member')),
  joined_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (community_id, user_id)
);
CREATE INDEX community_members_user_idx ON community_members (user_id);

CREATE TABLE channels (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  community_id bigint NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
  name         text NOT NULL,
  kind         text NOT NULL DEFAULT 'text' CHECK (kind IN ('text', 'voice', 'forum')),
  created_at   timestamptz NOT NULL DEFAULT now(),
  UNIQUE (community_id, name)
);

CREATE TABLE posts (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  community_id bigint NOT NULL REFERENCES communities (id) ON DELETE CASCADE,
  author_id    bigint NOT NULL REFERENCES users (id),
  title        text NOT NULL,
  body         text,
  score        integer NOT NULL DEFAULT 0,
  comment_count integer NOT NULL DEFAULT 0,
  search       tsvector GENERATED ALWAYS AS
                 (to_tsvector('english', title || ' ' || coalesce(body, ''))) STORED,
  created_at   timestamptz NOT NULL DEFAULT now(),
  deleted_at   timestamptz
);
-- The seed's "hot" and "new" listings of a community, live posts only.
CREATE INDEX posts_community_new_idx ON posts (community_id, created_at DESC) WHERE deleted_at IS NULL;
CREATE INDEX posts_community_top_idx ON posts (community_id, score DESC) WHERE deleted_at IS NULL;
CREATE INDEX posts_author_idx ON posts (author_id);
CREATE INDEX posts_search_idx ON posts USING gin (search);

CREATE TABLE comments (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  post_id    bigint NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
  parent_id  bigint REFERENCES comments (id) ON DELETE CASCADE,
  author_id  bigint NOT NULL REFERENCES users (id),
  body       text NOT NULL,
  score      integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX comments_post_idx ON comments (post_id, created_at);
CREATE INDEX comments_parent_idx ON comments (parent_id) WHERE parent_id IS NOT NULL;

CREATE TABLE votes (
  user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  post_id    bigint NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
  value      smallint NOT NULL CHECK (value IN (-1, 1)),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, post_id)
);

CREATE TABLE messages (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  channel_id bigint NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
  author_id  bigint NOT NULL REFERENCES users (id),
  body       text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  edited_at  timestamptz
);
CREATE INDEX messages_channel_idx ON messages (channel_id, created_at DESC);
