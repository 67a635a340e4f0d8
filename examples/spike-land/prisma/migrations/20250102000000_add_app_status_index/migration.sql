-- The seed's example of a second migration (`npx prisma migrate dev --name
-- add_app_status_index`): apps listed by owner and status, newest first.
-- CreateIndex
CREATE INDEX "App_userId_status_createdAt_idx" ON "App"("userId", "status", "createdAt" DESC);
