//! Roles, what each may do, and which roles each may grant — a pure table, tested below.

use serde::{Deserialize, Serialize};

/// The role of an account. Each account has exactly one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    GridWorker,
    GridLeader,
    CommunityStaff,
    TownCenter,
    CountyCenter,
    DepartmentHandler,
    CountyViewer,
    SystemAdmin,
    SecurityAdmin,
    AuditAdmin,
}

/// What an account may do; routes name the permission they require.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// See the area tree, grids, departments and staff of one's scope.
    ViewOrg,
    /// Create, edit, move and retire areas and grids.
    ManageAreas,
    /// Create and edit departments.
    ManageDepartments,
    /// Create and edit staff and their grid assignments.
    ManageStaff,
    /// See and create accounts (only roles one may grant).
    ManageAccounts,
    /// Lock, unlock and reset passwords of accounts.
    AccountSecurity,
    /// Activate an account another administrator created (三员分立: never one's own).
    ActivateAccounts,
    /// Search the audit trail.
    ReadAudit,
    /// Read residents' personal data (the register).
    ReadPersonalData,
    /// Browse houses, households, rentals, places and transfers (area-bound roles; departments see only what is sent to them).
    ReadRegister,
    /// Read special-population files (grid, community and town staff, and the signing departments).
    ReadSpecialFiles,
    /// Register and update people, houses, rentals, places and special-population files.
    EditRegister,
    /// Show a full ID number or phone (with a stated reason, audited).
    UnmaskPersonalData,
    /// Delete a record entered by mistake (with a reason, audited).
    DeleteRecords,
    /// See events in one's scope (departments: those sent to them), the to-do lists and figures.
    ReadEvents,
    /// Report events.
    ReportEvents,
    /// Take actions on events (who may take which is decided by the workflow table).
    HandleEvents,
    /// Edit event categories, their time limits and the work calendar.
    ManageEventSettings,
    /// Record one's own field work: patrols, visits, daily check-ins (grid workers and leaders, community staff).
    FieldWork,
    /// See supervision figures of one's scope: activity, patrols, visits, huddles, dashboards, assessment, bulletins.
    ReadSupervision,
    /// Keep a community's daily huddle (日碰头会): add problems, record decisions and who follows up.
    RunHuddle,
    /// Generate, edit and publish the monthly bulletin (月度通报) of one's area.
    PublishBulletins,
    /// Change the supervision settings: activity thresholds, patrol checklist, assessment rules.
    ManageSupervisionSettings,
    /// Issue, list and revoke the Open311 API keys third-party apps post requests with.
    ManageOpen311Keys,
}

pub const ALL_ROLES: [Role; 10] = [
    Role::GridWorker,
    Role::GridLeader,
    Role::CommunityStaff,
    Role::TownCenter,
    Role::CountyCenter,
    Role::DepartmentHandler,
    Role::CountyViewer,
    Role::SystemAdmin,
    Role::SecurityAdmin,
    Role::AuditAdmin,
];

/// Where an account of a role is bound.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Binding {
    /// To an area of one of these kinds.
    Area(&'static [&'static str]),
    /// To a department.
    Department,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::GridWorker => "grid_worker",
            Role::GridLeader => "grid_leader",
            Role::CommunityStaff => "community_staff",
            Role::TownCenter => "town_center",
            Role::CountyCenter => "county_center",
            Role::DepartmentHandler => "department_handler",
            Role::CountyViewer => "county_viewer",
            Role::SystemAdmin => "system_admin",
            Role::SecurityAdmin => "security_admin",
            Role::AuditAdmin => "audit_admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        ALL_ROLES.into_iter().find(|r| r.as_str() == s)
    }

    /// The Chinese name shown on pages.
    pub fn label(self) -> &'static str {
        match self {
            Role::GridWorker => "网格员",
            Role::GridLeader => "网格长",
            Role::CommunityStaff => "社区工作人员",
            Role::TownCenter => "乡镇（街道）综治中心",
            Role::CountyCenter => "县综治中心",
            Role::DepartmentHandler => "职能部门办理人",
            Role::CountyViewer => "县级查看（只读）",
            Role::SystemAdmin => "系统管理员",
            Role::SecurityAdmin => "安全管理员",
            Role::AuditAdmin => "审计管理员",
        }
    }

    /// One of the three separated administrator roles (三员).
    pub fn is_admin(self) -> bool {
        matches!(self, Role::SystemAdmin | Role::SecurityAdmin | Role::AuditAdmin)
    }

    pub fn binding(self) -> Binding {
        match self {
            Role::GridWorker | Role::GridLeader => Binding::Area(&["grid"]),
            Role::CommunityStaff => Binding::Area(&["community"]),
            Role::TownCenter => Binding::Area(&["town"]),
            Role::CountyCenter | Role::CountyViewer => Binding::Area(&["county"]),
            Role::DepartmentHandler => Binding::Department,
            Role::SystemAdmin | Role::SecurityAdmin | Role::AuditAdmin => Binding::Area(&["county"]),
        }
    }

    pub fn has(self, p: Permission) -> bool {
        use Permission::*;
        use Role::*;
        match p {
            ViewOrg => true,
            ManageAreas | ManageDepartments => matches!(self, SystemAdmin | CountyCenter | TownCenter),
            ManageStaff => matches!(self, SystemAdmin | CountyCenter | TownCenter | CommunityStaff),
            ManageAccounts => !self.grantable().is_empty(),
            AccountSecurity => matches!(self, SecurityAdmin),
            ActivateAccounts => matches!(self, SystemAdmin | SecurityAdmin),
            ReadAudit => matches!(self, AuditAdmin),
            ReadPersonalData => matches!(
                self,
                GridWorker | GridLeader | CommunityStaff | TownCenter | CountyCenter | DepartmentHandler | CountyViewer
            ),
            ReadRegister => {
                matches!(self, GridWorker | GridLeader | CommunityStaff | TownCenter | CountyCenter | CountyViewer)
            }
            ReadSpecialFiles => {
                matches!(self, GridWorker | GridLeader | CommunityStaff | TownCenter | DepartmentHandler)
            }
            EditRegister => matches!(self, GridWorker | GridLeader | CommunityStaff | TownCenter),
            UnmaskPersonalData => {
                matches!(self, GridWorker | GridLeader | CommunityStaff | TownCenter | DepartmentHandler)
            }
            DeleteRecords => matches!(self, CommunityStaff | TownCenter),
            ReadEvents => matches!(
                self,
                GridWorker | GridLeader | CommunityStaff | TownCenter | CountyCenter | DepartmentHandler | CountyViewer
            ),
            ReportEvents => matches!(self, GridWorker | GridLeader | CommunityStaff | TownCenter | CountyCenter),
            HandleEvents => {
                matches!(self, GridWorker | GridLeader | CommunityStaff | TownCenter | CountyCenter | DepartmentHandler)
            }
            ManageEventSettings => matches!(self, CountyCenter | SystemAdmin),
            FieldWork => matches!(self, GridWorker | GridLeader | CommunityStaff),
            ReadSupervision => {
                matches!(self, GridWorker | GridLeader | CommunityStaff | TownCenter | CountyCenter | CountyViewer)
            }
            RunHuddle => matches!(self, CommunityStaff | TownCenter),
            PublishBulletins => matches!(self, TownCenter | CountyCenter),
            ManageSupervisionSettings => matches!(self, CountyCenter | SystemAdmin),
            ManageOpen311Keys => matches!(self, CountyCenter | SystemAdmin),
        }
    }

    /// The roles an account of this role may give to accounts it creates (inside its own subtree).
    pub fn grantable(self) -> &'static [Role] {
        use Role::*;
        match self {
            SystemAdmin => {
                &[GridWorker, GridLeader, CommunityStaff, TownCenter, CountyCenter, DepartmentHandler, CountyViewer]
            }
            SecurityAdmin => &[SystemAdmin, SecurityAdmin, AuditAdmin],
            CountyCenter => &[GridWorker, GridLeader, CommunityStaff, TownCenter, DepartmentHandler, CountyViewer],
            TownCenter => &[GridWorker, GridLeader, CommunityStaff, DepartmentHandler],
            CommunityStaff => &[GridWorker, GridLeader],
            _ => &[],
        }
    }

    pub fn may_grant(self, other: Role) -> bool {
        self.grantable().contains(&other)
    }

    /// Whether a second factor is required by default.
    pub fn requires_totp(self) -> bool {
        self.is_admin()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_names_round_trip() {
        for r in ALL_ROLES {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn administrators_never_read_personal_data() {
        for r in ALL_ROLES.into_iter().filter(|r| r.is_admin()) {
            for p in [
                Permission::ReadPersonalData,
                Permission::ReadRegister,
                Permission::ReadSpecialFiles,
                Permission::EditRegister,
                Permission::UnmaskPersonalData,
                Permission::DeleteRecords,
            ] {
                assert!(!r.has(p), "{r:?} {p:?}");
            }
        }
        assert!(
            !Role::CountyViewer.has(Permission::EditRegister)
                && !Role::CountyViewer.has(Permission::UnmaskPersonalData)
        );
    }

    #[test]
    fn three_administrators_are_separated() {
        // Only the audit administrator reads the audit trail; only the security administrator
        // creates administrators; the system administrator cannot grant any administrator role.
        for r in ALL_ROLES {
            assert_eq!(r.has(Permission::ReadAudit), r == Role::AuditAdmin);
            for admin in [Role::SystemAdmin, Role::SecurityAdmin, Role::AuditAdmin] {
                assert_eq!(r.may_grant(admin), r == Role::SecurityAdmin, "{r:?} granting {admin:?}");
            }
        }
        assert!(Role::AuditAdmin.grantable().is_empty());
        // An administrator role and a business role are never granted by the same role's table
        // mixed up: the security administrator grants only administrators, everyone else only business roles.
        for r in ALL_ROLES {
            let g = r.grantable();
            assert!(g.iter().all(|x| x.is_admin()) || g.iter().all(|x| !x.is_admin()), "{r:?} grants both kinds");
        }
    }

    #[test]
    fn lower_levels_grant_only_lower_roles() {
        assert!(Role::CommunityStaff.may_grant(Role::GridWorker));
        assert!(!Role::CommunityStaff.may_grant(Role::CommunityStaff));
        assert!(!Role::TownCenter.may_grant(Role::TownCenter));
        assert!(!Role::GridWorker.has(Permission::ManageAccounts));
        assert!(!Role::CountyViewer.has(Permission::ManageAccounts));
        assert!(Role::SystemAdmin.requires_totp() && !Role::CountyCenter.requires_totp());
    }
}
