DROP TABLE messages, votes, comments, posts, channels, community_members, communities, users;
