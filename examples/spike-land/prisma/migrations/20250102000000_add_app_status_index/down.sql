DROP INDEX "App_userId_status_createdAt_idx";
