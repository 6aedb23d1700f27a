function New-OfflineSeedCredential {
    <#
    .SYNOPSIS
    Creates a certificate identity for unattended runs and saves it as a credential profile.

    .DESCRIPTION
    Unattended seeding, backups and job updates need an identity that is not a person: an Entra
    application that signs in with a certificate. This cmdlet replaces AzureOfflineBackupCertGen and
    its registry entries:

      1. It creates a certificate. On Windows it is made in the certificate store (Cert:\CurrentUser\My,
         or Cert:\LocalMachine\My with -Scope Machine) with a key that cannot be exported unless
         -Exportable is given; elsewhere the engine makes it and writes the key and certificate as a PEM
         file readable by its owner only. The public certificate is written beside the profile as
         <Name>.cer.
      2. It registers the certificate on the application (-ApplicationId) through Microsoft Graph when
         your sign-in may change the application (Application Administrator, or an owner of it).
         Otherwise, or with -NoRegister, the result's RegistrationCommands hold the exact Azure CLI and
         Az PowerShell commands an administrator runs, and a warning shows them.
      3. It saves a credential profile (tenant, client id, certificate thumbprint and PEM path or
         store, subscription) in the user's profile, or the machine's with -Scope Machine. Every cmdlet
         that reaches Azure then takes -CredentialProfile <Name>.

    No secret is written anywhere else, and the profile holds none. The identity still needs roles:
    Contributor on the resource group, Storage Blob Data Contributor on the storage account
    (Test-OfflineSeedPrerequisite -CredentialProfile <Name> checks them).

    .PARAMETER Name
    Name of the credential profile, as -CredentialProfile will give it.

    .PARAMETER TenantId
    Entra tenant of the application.

    .PARAMETER ApplicationId
    Application (client) id of the Entra application the certificate is for.

    .PARAMETER SubscriptionId
    Subscription the profile names by default.

    .PARAMETER ValidityDays
    Validity of the certificate in days (default 365).

    .PARAMETER Subject
    Common name of the certificate (default "OfflineSeed <Name> <computer>").

    .PARAMETER CertificateOutputPath
    Where to write the PEM with the key (not Windows). Default: credentials\<Name>.pem beside the profile.

    .PARAMETER Exportable
    Windows: make the key exportable (default: not exportable, so it never leaves this computer).

    .PARAMETER NoRegister
    Do not register the certificate: only report the administrator's commands.

    .PARAMETER GraphAccessToken
    Microsoft Graph access token of the administrator, as a SecureString (Get-AzAccessToken -ResourceTypeName MSGraph).

    .PARAMETER Scope
    User (default): the profile of the current user. Machine: for every user of this computer.

    .PARAMETER ProfilePath
    Profile file to save into, instead of the scope's.

    .PARAMETER Force
    Replace a credential profile of the same name.

    .PARAMETER Environment
    Azure cloud: AzureCloud (default), AzureUSGovernment or AzureChinaCloud.

    .PARAMETER CredentialProfile
    Name of a credential profile to sign in with for the registration (the administrator's own).

    .PARAMETER ClientId
    Application (client) id of an administrator's service principal used for the registration.

    .PARAMETER ClientSecret
    Client secret of that service principal, as a SecureString.

    .PARAMETER CertificatePath
    PEM certificate (with its key) of that service principal.

    .EXAMPLE
    New-OfflineSeedCredential -Name unattended -TenantId $tenant -ApplicationId $appId -SubscriptionId $sub -Scope Machine

    Creates the certificate in Cert:\LocalMachine\My, registers it on the application and saves the
    machine-wide profile "unattended" that scheduled tasks use with -CredentialProfile unattended.

    .EXAMPLE
    New-OfflineSeedCredential -Name unattended -TenantId $tenant -ApplicationId $appId -NoRegister | Select-Object -ExpandProperty RegistrationCommands

    Creates the certificate and profile, and shows the command to hand to a tenant administrator.

    .INPUTS
    None.

    .OUTPUTS
    OfflineSeed.Credential

    .NOTES
    Renew before NotAfter: run again with -Force, then remove the old certificate from the application.

    .LINK
    about_OfflineSeed

    .LINK
    Test-OfflineSeedPrerequisite
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Medium')]
    [OutputType('OfflineSeed.Credential')]
    param(
        [Parameter(Mandatory, Position = 0)]
        [ValidatePattern('^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$')]
        [string] $Name,

        [Parameter(Mandatory)]
        [ValidateNotNullOrEmpty()]
        [string] $TenantId,

        [Parameter(Mandatory)]
        [ValidateNotNullOrEmpty()]
        [string] $ApplicationId,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string] $SubscriptionId,

        [Parameter()]
        [ValidateRange(1, 3650)]
        [int] $ValidityDays = 365,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string] $Subject,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string] $CertificateOutputPath,

        [Parameter()]
        [switch] $Exportable,

        [Parameter()]
        [switch] $NoRegister,

        [Parameter()]
        [System.Security.SecureString] $GraphAccessToken,

        [Parameter()]
        [ValidateSet('User', 'Machine')]
        [string] $Scope = 'User',

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string] $ProfilePath,

        [Parameter()]
        [switch] $Force,

        [Parameter()]
        [ValidateSet('AzureCloud', 'AzureUSGovernment', 'AzureChinaCloud')]
        [string] $Environment,

        [Parameter()]
        [ValidatePattern('^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$')]
        [string] $CredentialProfile,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string] $ClientId,

        [Parameter()]
        [System.Security.SecureString] $ClientSecret,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string] $CertificatePath
    )

    process {
        $params = @{
            name          = $Name
            tenantId      = $TenantId
            applicationId = $ApplicationId
            validityDays  = $ValidityDays
            scope         = $Scope
        }
        if ($PSBoundParameters.ContainsKey('SubscriptionId')) { $params['subscriptionId'] = $SubscriptionId }
        if ($PSBoundParameters.ContainsKey('Subject')) { $params['subject'] = $Subject }
        if ($PSBoundParameters.ContainsKey('CertificateOutputPath')) { $params['certificateOutputPath'] = Resolve-OfflineSeedPath -Path $CertificateOutputPath }
        if ($NoRegister) { $params['register'] = $false }
        if ($PSBoundParameters.ContainsKey('GraphAccessToken')) { $params['graphAccessToken'] = $GraphAccessToken }
        if ($PSBoundParameters.ContainsKey('ProfilePath')) { $params['profilePath'] = Resolve-OfflineSeedPath -Path $ProfilePath }
        if ($Force) { $params['force'] = $true }
        Add-OfflineSeedAzureAccess -Parameters $params -BoundParameters $PSBoundParameters

        $onWindows = [System.Environment]::OSVersion.Platform -eq [System.PlatformID]::Win32NT
        $action = 'Create a certificate for application {0}, register it and save credential profile {1} ({2} scope)' -f $ApplicationId, $Name, $Scope
        $dryRun = -not $PSCmdlet.ShouldProcess($Name, $action)
        if ($dryRun -and -not $WhatIfPreference) { return }
        if ($onWindows -and -not $dryRun) {
            # The key is made in the store and, unless -Exportable, can never be read out of it.
            $store = 'CurrentUser\My'
            if ($Scope -eq 'Machine') { $store = 'LocalMachine\My' }
            $commonName = $Subject
            if ([string]::IsNullOrEmpty($commonName)) { $commonName = 'OfflineSeed {0} {1}' -f $Name, $env:COMPUTERNAME }
            $exportPolicy = 'NonExportable'
            if ($Exportable) { $exportPolicy = 'Exportable' }
            $certificate = New-SelfSignedCertificate -Subject ('CN=' + $commonName) -CertStoreLocation ('Cert:\' + $store) -KeyExportPolicy $exportPolicy `
                -KeySpec Signature -KeyAlgorithm RSA -KeyLength 2048 -HashAlgorithm SHA256 -NotAfter ((Get-Date).AddDays($ValidityDays)) `
                -TextExtension @('2.5.29.37={text}1.3.6.1.5.5.7.3.2') -ErrorAction Stop
            $params['storeCertificate'] = @{ certificate = [System.Convert]::ToBase64String($certificate.RawData); store = $store }
        }
        Invoke-OfflineSeedEngine -Command 'credential.new' -Parameters $params -DryRun:$dryRun -Cmdlet $PSCmdlet
    }
}
