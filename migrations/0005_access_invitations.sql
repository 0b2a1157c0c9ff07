CREATE TABLE "access_invitations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"threat_model_id" uuid NOT NULL,
	"email" text NOT NULL,
	"role" text NOT NULL,
	"invited_by" uuid,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"modified_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "access_invitations_email_lowercase" CHECK ("access_invitations"."email" = lower("access_invitations"."email")),
	CONSTRAINT "access_invitations_role_check" CHECK (role in ('reader', 'reviewer', 'writer', 'owner'))
);
--> statement-breakpoint
ALTER TABLE "notifications" DROP CONSTRAINT "notifications_type_check";--> statement-breakpoint
ALTER TABLE "access_invitations" ADD CONSTRAINT "access_invitations_threat_model_id_threat_models_id_fk" FOREIGN KEY ("threat_model_id") REFERENCES "public"."threat_models"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "access_invitations" ADD CONSTRAINT "access_invitations_invited_by_users_id_fk" FOREIGN KEY ("invited_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "access_invitations_model_email_key" ON "access_invitations" USING btree ("threat_model_id","email");--> statement-breakpoint
CREATE INDEX "access_invitations_email_idx" ON "access_invitations" USING btree ("email");--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_type_check" CHECK (type in ('mention', 'reply', 'review_requested', 'review_decided', 'shared'));