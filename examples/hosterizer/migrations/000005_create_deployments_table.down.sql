DROP TABLE IF EXISTS deployments;
